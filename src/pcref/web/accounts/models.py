"""Permissions that belong to the service as a whole rather than to one table.

Django permissions hang off a model, so :class:`StaffAccess` exists (without a table) to
carry them. Roles (:mod:`pcref.web.accounts.roles`) are groups holding these permissions;
views check permissions, never role names.
"""

from django.db import models


class StaffAccess(models.Model):
    """Carrier of the service-wide staff permissions; it has no table and no rows."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = (
            ("view_results", "View dashboards and results"),
            ("view_internal_figures", "See figures under the internal disclosure policy"),
            ("export_results", "Export results"),
            ("moderate_feedback", "Moderate feedback"),
            ("manage_pcref_plan", "Manage the PCREF action plan and publications"),
            ("view_audit_log", "View the audit log"),
        )
