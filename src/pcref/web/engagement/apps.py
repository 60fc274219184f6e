from django.apps import AppConfig
from django.db.models.signals import post_migrate


class EngagementConfig(AppConfig):
    """The co-creation network, the BAME Co-Creation Hub and partnership groups."""

    name = "pcref.web.engagement"
    label = "engagement"
    verbose_name = "Engagement"

    def ready(self) -> None:
        from pcref.web.engagement import retention_rules, seed  # noqa: F401  (registers rules)

        post_migrate.connect(
            seed.ensure_first_wording_and_groups,
            sender=self,
            dispatch_uid="pcref-engagement-seed",
        )
