"""Write the audit log (DESIGN §10): sign-ins and sign-outs, lockouts, two-factor changes,
exports — and, as the feedback and governance apps arrive, access to feedback and every
change to actions and publications.

Public API: :class:`AuditAction` (what can be recorded, with the words the audit log page
shows), :func:`record` and :func:`record_export`. Events never hold IP addresses or other
request metadata: only the account, the action, the object and a small ``detail`` mapping
chosen by the caller.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.db import models
from django.http import HttpRequest

from pcref.web.core.models import AuditEvent


class AuditAction(models.TextChoices):
    """Every kind of audit event. Add new kinds here, with the label people will read."""

    SIGNED_IN = "signed_in", "Signed in"
    SIGN_IN_FAILED = "sign_in_failed", "Sign-in failed"
    SIGNED_OUT = "signed_out", "Signed out"
    SIGNED_OUT_INACTIVE = "signed_out_inactive", "Signed out after inactivity"
    LOCKED_OUT = "locked_out", "Locked out after repeated failed sign-ins"
    TWO_FACTOR_ENABLED = "two_factor_enabled", "Two-factor authentication set up"
    TWO_FACTOR_DISABLED = "two_factor_disabled", "Two-factor authentication turned off"
    SECURITY_CODE_REJECTED = "security_code_rejected", "Security code rejected"
    EXPORTED = "exported", "Exported data"
    # engagement: co-creation network, hub, partnership groups
    NETWORK_MEMBER_ERASED = "network_member_erased", "Co-creation network member erased"
    NETWORK_CONSENT_CHANGED = "network_consent_changed", "Co-creation network consent changed"
    NETWORK_MEMBERS_VIEWED = "network_members_viewed", "Viewed co-creation network members"
    CONSENT_WORDING_ADDED = "consent_wording_added", "Added a consent wording version"
    HUB_MODERATED = "hub_moderated", "Moderated a Co-Creation Hub post"
    HUB_BLOCKED = "hub_blocked", "Blocked a Co-Creation Hub poster"
    HUB_UNBLOCKED = "hub_unblocked", "Unblocked a Co-Creation Hub poster"
    PARTNERSHIP_RECORD_CHANGED = "partnership_record_changed", "Changed a partnership group record"
    # Moderation of feedback and "you said, we did" (pcref.web.moderation)
    FEEDBACK_READ = "feedback_read", "Read feedback"
    SAFEGUARDING_ASSIGNED = "safeguarding_assigned", "Assigned a safeguarding review"
    SAFEGUARDING_REQUESTED = "safeguarding_requested", "Sent feedback for safeguarding review"
    SAFEGUARDING_OUTCOME = "safeguarding_outcome", "Recorded a safeguarding outcome"
    CONTACT_DETAILS_VIEWED = "contact_details_viewed", "Viewed contact details"
    FEEDBACK_MODERATED = "feedback_moderated", "Moderated feedback"
    FEEDBACK_PUBLISHED = "feedback_published", "Published feedback"
    FEEDBACK_KEPT_PRIVATE = "feedback_kept_private", "Kept feedback private"
    FEEDBACK_RESPONSE_SAVED = "feedback_response_saved", "Saved a public response"
    YOU_SAID_WE_DID_SAVED = "you_said_we_did_saved", "Saved a you said, we did entry"
    YOU_SAID_WE_DID_UPDATED = "you_said_we_did_updated", "Added a you said, we did update"
    RETENTION_APPLIED = "retention_applied", "Applied retention periods"
    # Results in the app (pcref load).
    RESULTS_LOADED = "results_loaded", "Loaded a results run"
    RESULTS_MADE_CURRENT = "results_made_current", "Made a results run current"
    # governance: the PCREF action plan and self-assessments
    PCREF_ACTION_CHANGED = "pcref_action_changed", "Changed a PCREF action"
    SELF_ASSESSMENT_SAVED = "self_assessment_saved", "Saved a PCREF self-assessment"


_LABELS = dict(AuditAction.choices)


def action_label(action: str) -> str:
    """The words for an action code, or the code itself if it is no longer defined."""
    return _LABELS.get(action, action)


def record(
    action: AuditAction | str,
    *,
    request: HttpRequest | None = None,
    actor: Any = None,
    obj: Any = None,
    detail: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit event and return it.

    The actor is ``actor`` if given, else the signed-in user of ``request`` (if any).
    ``obj`` (any model instance, or anything with a useful ``str``) is recorded by type,
    primary key and description. ``detail`` must be JSON-serialisable.
    """
    if action not in _LABELS:
        raise ValueError(f"audit action {action!r}: unknown; expected one of {sorted(_LABELS)}")
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            actor = user
    detail = dict(detail or {})
    try:
        json.dumps(detail)
    except TypeError as error:
        raise ValueError(f"audit detail for {action!r} is not JSON-serialisable: {error}") from None
    object_type, object_id, object_repr = _describe(obj)
    return AuditEvent.objects.create(
        action=str(action),
        actor=actor if actor is not None and actor.pk is not None else None,
        actor_username=actor.get_username() if actor is not None else "",
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
        detail=detail,
    )


def record_export(
    request: HttpRequest, obj: Any, *, file_format: str, disclosure_policy: str, **detail: Any
) -> AuditEvent:
    """Record that the signed-in user exported ``obj`` (a results run, a table, ...).

    ``file_format`` (``"csv"``, ``"parquet"``, ...) and the disclosure-control policy the
    exported figures were released under are always kept with the event.
    """
    return record(
        AuditAction.EXPORTED,
        request=request,
        obj=obj,
        detail={"format": file_format, "disclosure_policy": disclosure_policy, **detail},
    )


def _describe(obj: Any) -> tuple[str, str, str]:
    if obj is None:
        return "", "", ""
    meta = getattr(obj, "_meta", None)
    object_type = meta.label if meta is not None else type(obj).__name__
    object_id = str(getattr(obj, "pk", "") or "")
    return object_type[:100], object_id[:255], str(obj)[:255]
