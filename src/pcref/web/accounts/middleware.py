"""Session rules: sign people out after inactivity; make them set up two-factor
authentication first when the service requires it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, resolve_url
from django.utils import timezone

from pcref.web.accounts.signals import SIGN_OUT_REASON_ATTRIBUTE

#: Session key holding when the signed-in person last made a request (POSIX seconds).
LAST_ACTIVITY_KEY = "pcref_last_activity"

#: Last activity is written at most this often (seconds), so most requests save nothing.
ACTIVITY_WRITE_INTERVAL = 60


class SessionIdleTimeoutMiddleware:
    """Sign a person out when they have made no request for ``PCREF_SESSION_IDLE_TIMEOUT``.

    Their next request goes to the sign-in page with a message saying why, and returns
    them to where they were after signing in. Sessions also end when the browser closes
    and after ``SESSION_COOKIE_AGE`` whatever happens.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = timezone.now().timestamp()
            last = request.session.get(LAST_ACTIVITY_KEY)
            timeout = settings.PCREF_SESSION_IDLE_TIMEOUT.total_seconds()
            if isinstance(last, int | float) and now - last > timeout:
                setattr(request, SIGN_OUT_REASON_ATTRIBUTE, "inactive")
                logout(request)
                minutes = round(timeout / 60)
                messages.info(
                    request,
                    f"You were signed out because you had not used the service for "
                    f"{minutes} minutes. Sign in again to carry on.",
                )
                return redirect_to_login(request.get_full_path(), resolve_url(settings.LOGIN_URL))
            if not isinstance(last, int | float) or now - last >= ACTIVITY_WRITE_INTERVAL:
                request.session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)


def allowed_before_two_factor(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark a view that people may use before they have set up two-factor authentication
    (the set-up page itself, signing out)."""
    view.allowed_before_two_factor = True
    return view


class TwoFactorRequiredMiddleware:
    """When ``PCREF_REQUIRE_TWO_FACTOR`` is on, send signed-in people who have not proved
    a second factor to the set-up page before any page that needs signing in."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], *_: Any
    ) -> HttpResponse | None:
        if not settings.PCREF_REQUIRE_TWO_FACTOR or not request.user.is_authenticated:
            return None
        if request.user.is_verified():
            return None
        if not getattr(view_func, "login_required", True):
            return None
        if getattr(view_func, "allowed_before_two_factor", False):
            return None
        return redirect("accounts:two_factor_set_up")
