"""Start page, accessibility statement, audit log, health check and the error pages."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required, permission_required
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from pcref.web.accounts import roles
from pcref.web.core.audit import action_label
from pcref.web.core.context_processors import csp_nonce
from pcref.web.core.models import AuditEvent

AUDIT_LOG_PAGE_SIZE = 50


@login_not_required
@require_http_methods(["GET"])
def start(request: HttpRequest) -> HttpResponse:
    """What the service is for; once signed in, what this person's role lets them do."""
    return render(
        request,
        "core/start.jinja",
        {"user_roles": roles.roles_of(request.user)},
    )


@login_not_required
@require_http_methods(["GET"])
def accessibility(request: HttpRequest) -> HttpResponse:
    """The accessibility statement (Public Sector Bodies Accessibility Regulations 2018)."""
    return render(
        request,
        "core/accessibility.jinja",
        {
            "organisation": settings.PCREF_ORGANISATION_NAME,
            "contact": settings.PCREF_ACCESSIBILITY_CONTACT,
        },
    )


@permission_required(roles.VIEW_AUDIT_LOG, raise_exception=True)
@require_http_methods(["GET"])
def audit_log(request: HttpRequest) -> HttpResponse:
    """Audit events, newest first, 50 to a page."""
    paginator = Paginator(AuditEvent.objects.select_related("actor"), AUDIT_LOG_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "core/audit_log.jinja",
        {"page": page, "action_label": action_label},
    )


@login_not_required
@never_cache
@require_http_methods(["GET", "HEAD"])
def healthcheck(request: HttpRequest) -> HttpResponse:
    """``ok`` (200) when the application can reach its database, else 503."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return HttpResponse("database unavailable\n", content_type="text/plain", status=503)
    return HttpResponse("ok\n", content_type="text/plain")


# --- Error pages (handler400/403/404/500 and CSRF failures) ---------------------------


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.jinja", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(
        request, "403.jinja", {"user_roles": roles.roles_of(request.user)}, status=403
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.jinja", status=404)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    return render(request, "403_csrf.jinja", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page. Rendered without the request's context processors, which may need
    the database or session that has just failed."""
    context: dict[str, Any] = {"cspNonce": csp_nonce(request)}
    return HttpResponse(render_to_string("500.jinja", context), status=500)
