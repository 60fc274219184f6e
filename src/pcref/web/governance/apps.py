from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    """The PCREF action plan, self-assessments and "did it work" evaluations."""

    name = "pcref.web.governance"
    label = "governance"
    verbose_name = "Governance"
