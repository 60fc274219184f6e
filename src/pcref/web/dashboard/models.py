"""Results runs loaded into the application: aggregated figures only, never records.

A results run (``pcref compute``, docs/engine.md) is a folder of two Parquet files and
``run.json``. ``pcref load`` copies it here (:mod:`pcref.web.dashboard.loading`) so pages can
filter and chart it without reading files. Every run loaded is kept, so figures already seen
or published can be found again; exactly one run is current, and pages show the current run
unless someone chooses another. Nothing here can describe one person: a Figure is always a
group (``tests/web/test_no_record_level_data.py`` checks every table of every app).
"""

from __future__ import annotations

from django.db import models

#: The disclosure-control policies a run's figures are loaded under (DESIGN §7): NHS
#: England's rule for authorised staff (``results.parquet``) and the strict public rule
#: (``public/results.parquet``).
INTERNAL_POLICY = "nhse"
PUBLIC_POLICY = "public"
LOADED_POLICIES = (INTERNAL_POLICY, PUBLIC_POLICY)


class ResultsRun(models.Model):
    """One results run, as its ``run.json`` describes it."""

    run_id = models.CharField(max_length=64, unique=True, help_text="run.json's run_id.")
    created_at = models.DateTimeField(help_text="When pcref compute made the run (run.json).")
    loaded_at = models.DateTimeField(auto_now_add=True)
    periods = models.JSONField(default=list, help_text='Period labels, e.g. ["2024-25"].')
    code_version = models.CharField(max_length=200)
    input_fingerprint = models.CharField(max_length=200)
    metadata = models.JSONField(help_text="The whole run.json.")
    is_current = models.BooleanField(default=False)
    source_path = models.CharField(max_length=1000, help_text="The folder it was loaded from.")

    class Meta:
        ordering = ("-created_at", "-id")
        verbose_name = "results run"
        constraints = (
            # At most one row can be current; the loader makes the first run loaded current,
            # so once anything is loaded exactly one is.
            models.UniqueConstraint(
                fields=["is_current"],
                condition=models.Q(is_current=True),
                name="dashboard_one_current_results_run",
            ),
        )

    def __str__(self) -> str:
        return f"results run {self.run_id}"


class Metric(models.Model):
    """One metric of a run: its catalogue definition and SQL as they were when it ran."""

    run = models.ForeignKey(ResultsRun, on_delete=models.CASCADE, related_name="metrics")
    metric_id = models.CharField(max_length=100)
    title = models.CharField(max_length=300)
    description = models.TextField()
    family = models.CharField(max_length=100)
    unit = models.CharField(max_length=100)
    method = models.CharField(max_length=50)
    breakdowns = models.JSONField(default=list)
    reference_group = models.JSONField(default=dict)
    improvement_direction = models.CharField(
        max_length=10,
        choices=[("increase", "increase"), ("decrease", "decrease"), ("neither", "neither")],
        help_text='Which way is better; "neither" where the catalogue says "neutral".',
    )
    sentence = models.TextField(blank=True)
    source = models.TextField(blank=True)
    sql = models.TextField(help_text="The catalogue SQL text as run.")

    class Meta:
        ordering = ("family", "metric_id")
        constraints = (
            models.UniqueConstraint(fields=["run", "metric_id"], name="dashboard_metric_once"),
        )

    def __str__(self) -> str:
        return f"{self.metric_id} ({self.run.run_id})"


class Figure(models.Model):
    """One row of a run's results table under one disclosure policy: the figures for a
    group (or the total) of one metric, period and breakdown. The columns are those of
    :data:`pcref.results.schema.COLUMNS`; see there for their meanings."""

    run = models.ForeignKey(ResultsRun, on_delete=models.CASCADE, related_name="figures")
    metric = models.ForeignKey(Metric, on_delete=models.CASCADE, related_name="figures")
    disclosure_policy = models.CharField(
        max_length=10, choices=[(p, p) for p in LOADED_POLICIES]
    )
    period = models.CharField(max_length=20)
    breakdown = models.CharField(max_length=100)
    # "group" is a reserved word in SQL.
    group = models.CharField(max_length=255, db_column="group_label")
    subgroup = models.CharField(max_length=255, null=True, blank=True)
    statistic = models.CharField(max_length=100)
    numerator = models.BigIntegerField(null=True, blank=True)
    denominator = models.FloatField(null=True, blank=True)
    value = models.FloatField(null=True, blank=True)
    lower = models.FloatField(null=True, blank=True)
    upper = models.FloatField(null=True, blank=True)
    unit = models.CharField(max_length=100)
    comparator = models.CharField(max_length=255, null=True, blank=True)
    ratio = models.FloatField(null=True, blank=True)
    ratio_lower = models.FloatField(null=True, blank=True)
    ratio_upper = models.FloatField(null=True, blank=True)
    ratio_method = models.CharField(max_length=200, null=True, blank=True)
    difference = models.FloatField(null=True, blank=True)
    difference_lower = models.FloatField(null=True, blank=True)
    difference_upper = models.FloatField(null=True, blank=True)
    significance = models.CharField(max_length=200, null=True, blank=True)
    suppressed = models.BooleanField()
    status = models.TextField()
    display_value = models.CharField(max_length=50, blank=True)
    method = models.CharField(max_length=200, null=True, blank=True)

    class Meta:
        ordering = ("id",)
        indexes = (
            # Pages ask for one run's rows under one policy, then narrow by metric,
            # breakdown and period (metric page, gaps page, team profile).
            models.Index(
                fields=["run", "disclosure_policy", "metric", "breakdown", "period"],
                name="dashboard_figure_lookup",
            ),
            # Across all metrics of a run for one breakdown and period (biggest gaps).
            models.Index(
                fields=["run", "disclosure_policy", "breakdown", "period"],
                name="dashboard_figure_breakdown",
            ),
        )

    def __str__(self) -> str:
        who = self.group if self.subgroup is None else f"{self.group}, {self.subgroup}"
        return f"{self.metric.metric_id} {self.period} {self.breakdown}: {who}"
