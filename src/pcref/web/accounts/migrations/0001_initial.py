from django.db import migrations, models


class Migration(migrations.Migration):
    """Service-wide staff permissions (on a model with no table); roles are groups of them."""

    initial = True

    dependencies = ()

    operations = (
        migrations.CreateModel(
            name="StaffAccess",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
            ],
            options={
                "permissions": (
                    ("view_results", "View dashboards and results"),
                    ("view_internal_figures", "See figures under the internal disclosure policy"),
                    ("export_results", "Export results"),
                    ("moderate_feedback", "Moderate feedback"),
                    ("manage_pcref_plan", "Manage the PCREF action plan and publications"),
                    ("view_audit_log", "View the audit log"),
                ),
                "managed": False,
                "default_permissions": (),
            },
        ),
    )
