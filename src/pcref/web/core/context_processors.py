"""What every page's layout needs: the CSP nonce, the service's name and phase, header
navigation for the signed-in person's permissions, and flash messages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest
from django.urls import reverse

from pcref.web.accounts.roles import (
    MANAGE_PCREF_PLAN,
    MODERATE_FEEDBACK,
    VIEW_AUDIT_LOG,
    VIEW_RESULTS,
)

#: Header navigation: (URL name, text, permission needed or None for anyone signed in).
NAVIGATION: tuple[tuple[str, str, str | None], ...] = (
    ("core:start", "Home", None),
    ("dashboard:index", "Dashboard", VIEW_RESULTS),
    # team profiles and data quality
    ("dashboard:teams", "Team profiles", VIEW_RESULTS),
    ("dashboard:data_quality", "Data quality", VIEW_RESULTS),
    ("core:audit_log", "Audit log", VIEW_AUDIT_LOG),
    # engagement: co-creation network, hub, partnership groups
    ("engagement:network_members", "Co-creation network", MANAGE_PCREF_PLAN),
    ("engagement:groups", "Partnership groups", MANAGE_PCREF_PLAN),
    ("engagement:hub_moderation", "Hub moderation", MODERATE_FEEDBACK),
    # moderation: safeguarding queue and feedback; "you said, we did" entries
    ("moderation:queue", "Feedback moderation", MODERATE_FEEDBACK),
    ("moderation:entries", "You said, we did", MANAGE_PCREF_PLAN),
    # governance: the PCREF action plan (its page links to the self-assessments)
    ("governance:actions", "PCREF plan", VIEW_RESULTS),
    # publication: the board report (staff); the public PCREF page is at /pcref/
    ("publication:board_report", "Board report", VIEW_RESULTS),
    ("accounts:account", "Your account", None),
)


def navigation_items(request: HttpRequest) -> list[dict[str, Any]]:
    """Header links this person may follow, the current page marked."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match is not None else None
    return [
        {"href": reverse(name), "text": text, "current": name == current}
        for name, text, permission in NAVIGATION
        if permission is None or user.has_perm(permission)
    ]


def csp_nonce(request: HttpRequest) -> str:
    """This response's Content-Security-Policy nonce. Reading it is what adds it to the
    header (django-csp makes it lazily), so it is turned into a string here."""
    nonce = getattr(request, "csp_nonce", None)
    return str(nonce) if nonce is not None else ""


def layout(request: HttpRequest) -> dict[str, Any]:
    """Context for ``layout.jinja``. Keys are few and namespaced so views cannot clash."""
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    notices = [
        {
            "text": str(message),
            "success": message.level == messages.SUCCESS,
        }
        for message in messages.get_messages(request)
    ]
    return {
        "cspNonce": csp_nonce(request),
        "layout": {
            "service_name": settings.PCREF_SERVICE_NAME,
            "organisation": settings.PCREF_ORGANISATION_NAME,
            "phase_tag": settings.PCREF_PHASE_TAG,
            "phase_text": settings.PCREF_PHASE_TEXT,
            "signed_in": signed_in,
            "user_name": (user.get_full_name() or user.get_username()) if signed_in else "",
            "navigation": navigation_items(request),
            "notices": notices,
        },
    }
