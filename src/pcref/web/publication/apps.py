from django.apps import AppConfig


class PublicationConfig(AppConfig):
    """Board report, public PCREF page and annual publication, CQC evidence pack."""

    name = "pcref.web.publication"
    label = "publication"
    verbose_name = "Publication"
