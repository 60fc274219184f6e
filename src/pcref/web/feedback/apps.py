from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    """The public feedback form (no sign-in) and the records it writes."""

    name = "pcref.web.feedback"
    label = "feedback"
    verbose_name = "Feedback"
