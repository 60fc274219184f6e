import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Results runs, their metrics and figures."""

    initial = True

    dependencies = ()

    operations = (
        migrations.CreateModel(
            name="ResultsRun",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "run_id",
                    models.CharField(help_text="run.json's run_id.", max_length=64, unique=True),
                ),
                (
                    "created_at",
                    models.DateTimeField(help_text="When pcref compute made the run (run.json)."),
                ),
                ("loaded_at", models.DateTimeField(auto_now_add=True)),
                (
                    "periods",
                    models.JSONField(default=list, help_text='Period labels, e.g. ["2024-25"].'),
                ),
                ("code_version", models.CharField(max_length=200)),
                ("input_fingerprint", models.CharField(max_length=200)),
                ("metadata", models.JSONField(help_text="The whole run.json.")),
                ("is_current", models.BooleanField(default=False)),
                (
                    "source_path",
                    models.CharField(help_text="The folder it was loaded from.", max_length=1000),
                ),
            ],
            options={
                "verbose_name": "results run",
                "ordering": ("-created_at", "-id"),
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("is_current", True)),
                        fields=("is_current",),
                        name="dashboard_one_current_results_run",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Metric",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("metric_id", models.CharField(max_length=100)),
                ("title", models.CharField(max_length=300)),
                ("description", models.TextField()),
                ("family", models.CharField(max_length=100)),
                ("unit", models.CharField(max_length=100)),
                ("method", models.CharField(max_length=50)),
                ("breakdowns", models.JSONField(default=list)),
                ("reference_group", models.JSONField(default=dict)),
                (
                    "improvement_direction",
                    models.CharField(
                        choices=[
                            ("increase", "increase"),
                            ("decrease", "decrease"),
                            ("neither", "neither"),
                        ],
                        help_text=(
                            'Which way is better; "neither" where the catalogue says "neutral".'
                        ),
                        max_length=10,
                    ),
                ),
                ("sentence", models.TextField(blank=True)),
                ("source", models.TextField(blank=True)),
                ("sql", models.TextField(help_text="The catalogue SQL text as run.")),
                (
                    "run",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="metrics",
                        to="dashboard.resultsrun",
                    ),
                ),
            ],
            options={
                "ordering": ("family", "metric_id"),
            },
        ),
        migrations.CreateModel(
            name="Figure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "disclosure_policy",
                    models.CharField(
                        choices=[("nhse", "nhse"), ("public", "public")], max_length=10
                    ),
                ),
                ("period", models.CharField(max_length=20)),
                ("breakdown", models.CharField(max_length=100)),
                ("group", models.CharField(db_column="group_label", max_length=255)),
                ("subgroup", models.CharField(blank=True, max_length=255, null=True)),
                ("statistic", models.CharField(max_length=100)),
                ("numerator", models.BigIntegerField(blank=True, null=True)),
                ("denominator", models.FloatField(blank=True, null=True)),
                ("value", models.FloatField(blank=True, null=True)),
                ("lower", models.FloatField(blank=True, null=True)),
                ("upper", models.FloatField(blank=True, null=True)),
                ("unit", models.CharField(max_length=100)),
                ("comparator", models.CharField(blank=True, max_length=255, null=True)),
                ("ratio", models.FloatField(blank=True, null=True)),
                ("ratio_lower", models.FloatField(blank=True, null=True)),
                ("ratio_upper", models.FloatField(blank=True, null=True)),
                ("ratio_method", models.CharField(blank=True, max_length=200, null=True)),
                ("difference", models.FloatField(blank=True, null=True)),
                ("difference_lower", models.FloatField(blank=True, null=True)),
                ("difference_upper", models.FloatField(blank=True, null=True)),
                ("significance", models.CharField(blank=True, max_length=200, null=True)),
                ("suppressed", models.BooleanField()),
                ("status", models.TextField()),
                ("display_value", models.CharField(blank=True, max_length=50)),
                ("method", models.CharField(blank=True, max_length=200, null=True)),
                (
                    "metric",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="figures",
                        to="dashboard.metric",
                    ),
                ),
                (
                    "run",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="figures",
                        to="dashboard.resultsrun",
                    ),
                ),
            ],
            options={
                "ordering": ("id",),
            },
        ),
        migrations.AddConstraint(
            model_name="metric",
            constraint=models.UniqueConstraint(
                fields=("run", "metric_id"), name="dashboard_metric_once"
            ),
        ),
        migrations.AddIndex(
            model_name="figure",
            index=models.Index(
                fields=["run", "disclosure_policy", "metric", "breakdown", "period"],
                name="dashboard_figure_lookup",
            ),
        ),
        migrations.AddIndex(
            model_name="figure",
            index=models.Index(
                fields=["run", "disclosure_policy", "breakdown", "period"],
                name="dashboard_figure_breakdown",
            ),
        ),
    )
