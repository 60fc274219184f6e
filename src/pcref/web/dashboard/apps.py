from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """Dashboards of aggregated results."""

    name = "pcref.web.dashboard"
    label = "dashboard"
    verbose_name = "Dashboard"
