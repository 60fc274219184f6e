from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Layout, shared pages, error pages and the audit log."""

    name = "pcref.web.core"
    label = "core"
    verbose_name = "Core"
