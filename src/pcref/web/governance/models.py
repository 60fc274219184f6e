"""The PCREF action plan and self-assessments.

An :class:`Action` is one line of the local PCREF plan. Its history (:class:`ActionChange`)
is append-only, like the audit log: every change to a field, every progress update and
every piece of evidence writes a row saying who, when, which field, and the old and new
values, so the board and CQC can see how the plan moved. Evidence files live under
``MEDIA_ROOT`` and are only ever served by the governance app's own view, to staff who may
read the plan; there is no public media URL.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone

from pcref.web.governance.choices import (
    ActionStatus,
    PriorityArea,
    Rag,
    Score,
)

TEXT_LIMIT = 4000


class HistoryIsAppendOnly(Exception):
    """Raised on any attempt to change or delete a history row once written."""


class Action(models.Model):
    """One action of the local PCREF plan."""

    title = models.CharField(max_length=200)
    description = models.TextField(max_length=TEXT_LIMIT, blank=True)
    priority_area = models.CharField(max_length=32, choices=PriorityArea.choices)
    competencies = models.JSONField(default=list, help_text="Competency values, one or more.")
    # The disparity the action aims at: a metric of the loaded results runs and an ethnic
    # group of its ethnicity_5 breakdown. Kept as ids, not foreign keys, because runs come
    # and go while the plan stays.
    metric_id = models.CharField(max_length=100, blank=True)
    ethnic_group = models.CharField(max_length=255, blank=True)
    feedback_themes = models.JSONField(default=list, blank=True)
    you_said_we_did = models.ManyToManyField(
        "moderation.YouSaidWeDid", blank=True, related_name="pcref_actions"
    )
    owner = models.CharField(max_length=200, help_text="Name and role of the person accountable.")
    partners = models.TextField(
        max_length=TEXT_LIMIT, blank=True,
        help_text="Co-production partners: community groups, VCSE organisations, people with "
        "lived experience.",
    )
    start_date = models.DateField()
    due_date = models.DateField()
    status = models.CharField(
        max_length=16, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    rag_override = models.CharField(max_length=8, choices=Rag.choices, blank=True)
    rag_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("due_date", "id")

    def __str__(self) -> str:
        return self.title

    @property
    def derived_rag(self) -> str:
        """RAG from the status and the dates (docs/governance.md §RAG)."""
        return derive_rag(self.status, self.start_date, self.due_date, timezone.localdate())

    @property
    def rag(self) -> str:
        """The RAG shown: the one set by hand, if any, else the derived one."""
        return self.rag_override or self.derived_rag

    @property
    def rag_is_set(self) -> bool:
        return bool(self.rag_override)

    def get_rag_display(self) -> str:
        return Rag(self.rag).label


def derive_rag(status: str, start: dt.date, due: dt.date, today: dt.date) -> str:
    """Red, amber or green from an action's status and dates.

    Complete is green. Past its due date and not complete is red, whatever the status
    says. Otherwise off track is red, at risk amber and on track green; not started is green
    until its start date, amber once that has passed.
    """
    if status == ActionStatus.COMPLETE:
        return Rag.GREEN
    if today > due:
        return Rag.RED
    if status == ActionStatus.OFF_TRACK:
        return Rag.RED
    if status == ActionStatus.AT_RISK:
        return Rag.AMBER
    if status == ActionStatus.NOT_STARTED and today > start:
        return Rag.AMBER
    return Rag.GREEN


class ProgressUpdate(models.Model):
    """A dated note of how the action is going, written by the person who added it."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    on = models.DateField(help_text="The date the update describes.")
    text = models.TextField(max_length=TEXT_LIMIT)
    written_by = models.CharField(max_length=150)
    written_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ("-on", "-id")

    def __str__(self) -> str:
        return f"Update on {self.on:%Y-%m-%d} to {self.action}"


def evidence_path(instance: Evidence, filename: str) -> str:
    """Where an evidence file is stored under MEDIA_ROOT: a folder per action and a random
    name (the original name is kept on the row, never trusted as a path)."""
    import uuid
    from pathlib import PurePath

    suffix = PurePath(filename).suffix.lower()
    return f"governance/evidence/{instance.action_id}/{uuid.uuid4().hex}{suffix}"


class Evidence(models.Model):
    """A file or a link that shows the action happened or made a difference."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="evidence")
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to=evidence_path, blank=True)
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    added_by = models.CharField(max_length=150)
    added_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ("added_at", "id")
        verbose_name_plural = "evidence"

    def __str__(self) -> str:
        return self.title

    @property
    def is_file(self) -> bool:
        return bool(self.file)


class ActionChange(models.Model):
    """One change to an action: who, when, which field, old → new. Append-only."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="history")
    changed_at = models.DateTimeField(default=timezone.now, editable=False)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_by_username = models.CharField(max_length=150)
    field = models.CharField(max_length=100, help_text="The field's label as people read it.")
    old = models.TextField(blank=True)
    new = models.TextField(blank=True)

    class Meta:
        ordering = ("-changed_at", "-id")

    def __str__(self) -> str:
        return f"{self.changed_at:%Y-%m-%d %H:%M} {self.changed_by_username} {self.field}"

    def save(self, *args, **kwargs) -> None:
        if not self._state.adding:
            raise HistoryIsAppendOnly(f"history row {self.pk} cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise HistoryIsAppendOnly(f"history row {self.pk} cannot be deleted")


class SelfAssessment(models.Model):
    """One dated self-assessment against the Part 1 obligations and the six competencies.
    Kept once saved: a new assessment is a new row, so progress can be shown over time."""

    assessed_on = models.DateField()
    summary = models.TextField(max_length=TEXT_LIMIT, blank=True)
    assessed_by = models.CharField(max_length=150)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ("-assessed_on", "-id")

    def __str__(self) -> str:
        return f"Self-assessment of {self.assessed_on:%d %B %Y}"


class AssessmentScore(models.Model):
    """The score and evidence for one obligation or competency in one assessment."""

    assessment = models.ForeignKey(
        SelfAssessment, on_delete=models.CASCADE, related_name="scores"
    )
    item = models.CharField(max_length=32)
    score = models.PositiveSmallIntegerField(choices=Score.choices)
    evidence = models.TextField(max_length=TEXT_LIMIT, blank=True)

    class Meta:
        constraints = (
            models.UniqueConstraint(fields=["assessment", "item"], name="governance_score_once"),
        )

    def __str__(self) -> str:
        return f"{self.item}: {self.score}"
