"""Dashboards of a loaded results run. For now, the landing page only."""
