"""The audit log: who did what, when, to which object. No IP addresses are kept."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditLogIsAppendOnly(Exception):
    """Raised on any attempt to change or delete an audit event once written."""


class AuditEvent(models.Model):
    """One accountable action by a person: a sign-in, a sign-out, an export, ...

    Rows are written by :func:`pcref.web.core.audit.record` and never changed: saving an
    existing row or deleting one raises :class:`AuditLogIsAppendOnly`. The username is
    copied at the time so the record still says who it was if the account is later
    removed. Deliberately absent: IP addresses, user agents and free text typed by users.
    """

    occurred_at = models.DateTimeField(default=timezone.now, db_index=True, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The account that acted; empty for failed sign-ins to unknown accounts.",
    )
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=255, blank=True)
    object_repr = models.CharField(max_length=255, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ("-occurred_at", "-id")
        verbose_name = "audit event"

    def __str__(self) -> str:
        who = self.actor_username or "unknown account"
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {who} {self.action}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise AuditLogIsAppendOnly(f"audit event {self.pk} cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogIsAppendOnly(f"audit event {self.pk} cannot be deleted")
