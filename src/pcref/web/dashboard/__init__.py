"""Dashboards of loaded results runs: the landing page, About the data, and the pages of
figures (biggest gaps, metrics, teams, data quality). Aggregates only (models.py)."""
