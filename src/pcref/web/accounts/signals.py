"""Audit-log hooks for sign-in, sign-out, failed sign-ins and lockouts.

A failed sign-in is linked to the account only when the username belongs to one; what
was typed for an unknown account is not kept, because people sometimes type their
password into the username box.
"""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from pcref.web.core.audit import AuditAction, record

#: Set on the request by code that signs a person out for a reason other than their asking.
SIGN_OUT_REASON_ATTRIBUTE = "pcref_sign_out_reason"


def _account(username: Any) -> Any:
    if not username:
        return None
    User = get_user_model()
    return User.objects.filter(**{User.USERNAME_FIELD: username}).first()


@receiver(user_logged_in, dispatch_uid="pcref-audit-signed-in")
def _signed_in(sender: Any, request: Any, user: Any, **_: Any) -> None:
    two_factor = getattr(user, "otp_device", None) is not None
    record(AuditAction.SIGNED_IN, actor=user, detail={"two_factor": two_factor})


@receiver(user_logged_out, dispatch_uid="pcref-audit-signed-out")
def _signed_out(sender: Any, request: Any, user: Any, **_: Any) -> None:
    if user is None:
        return
    inactive = getattr(request, SIGN_OUT_REASON_ATTRIBUTE, None) == "inactive"
    action = AuditAction.SIGNED_OUT_INACTIVE if inactive else AuditAction.SIGNED_OUT
    record(action, actor=user)


@receiver(user_login_failed, dispatch_uid="pcref-audit-sign-in-failed")
def _sign_in_failed(sender: Any, credentials: dict, request: Any = None, **_: Any) -> None:
    account = _account(credentials.get("username"))
    record(
        AuditAction.SIGN_IN_FAILED,
        actor=account,
        detail={} if account is not None else {"account": "unknown"},
    )


@receiver(user_locked_out, dispatch_uid="pcref-audit-locked-out")
def _locked_out(sender: Any, request: Any, username: Any, **_: Any) -> None:
    account = _account(username)
    record(
        AuditAction.LOCKED_OUT,
        actor=account,
        detail={} if account is not None else {"account": "unknown"},
    )
