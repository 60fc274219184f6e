from django.apps import AppConfig


class ModerationConfig(AppConfig):
    """Safeguarding review, moderation and publishing of feedback, "you said, we did"."""

    name = "pcref.web.moderation"
    label = "moderation"
    verbose_name = "Moderation"

    def ready(self) -> None:
        from pcref.web.moderation import retention_rules  # noqa: F401  (registers its rules)
