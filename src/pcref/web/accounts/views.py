"""Sign in (password, then a security code for people with two-factor authentication),
sign out, the account page, two-factor set-up and removal, and the lockout page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login

from pcref.web.accounts import roles, two_factor
from pcref.web.accounts.forms import SecurityCodeForm, SignInForm
from pcref.web.accounts.middleware import allowed_before_two_factor
from pcref.web.core.audit import AuditAction, record

#: Session key for a sign-in that has passed the password step and awaits its code.
PENDING_SIGN_IN_KEY = "pcref_pending_sign_in"

#: How long a person has to enter their security code after their password (seconds).
PENDING_SIGN_IN_SECONDS = 300

#: Wrong security codes allowed before the password must be entered again.
PENDING_SIGN_IN_ATTEMPTS = 5


def _safe_next(request: HttpRequest) -> str:
    """Where to go after signing in: the ``next`` parameter if it is on this site."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


@login_not_required
@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """Step 1: username and password. People with two-factor authentication go on to
    enter a security code and are not signed in until they have."""
    next_url = _safe_next(request)
    if request.user.is_authenticated:
        return redirect(next_url)
    form = SignInForm(request, data=request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        user = form.get_user()
        if two_factor.has_two_factor(user):
            request.session[PENDING_SIGN_IN_KEY] = {
                "user": user.pk,
                "backend": user.backend,
                "started": timezone.now().timestamp(),
                "attempts": 0,
                "next": next_url,
            }
            return redirect("accounts:sign_in_code")
        login(request, user)
        return redirect(next_url)
    return render(
        request, "accounts/sign_in.jinja", {"form": form, "next": next_url}
    )


@login_not_required
@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def sign_in_code(request: HttpRequest) -> HttpResponse:
    """Step 2: the security code from the person's authenticator app."""
    if request.user.is_authenticated:
        return redirect(resolve_url(settings.LOGIN_REDIRECT_URL))
    pending = request.session.get(PENDING_SIGN_IN_KEY)
    user = _pending_user(pending)
    device = two_factor.confirmed_device(user)
    if user is None or device is None:
        request.session.pop(PENDING_SIGN_IN_KEY, None)
        if pending is not None:
            messages.info(
                request, "Your sign-in timed out. Enter your username and password again."
            )
        return redirect("accounts:sign_in")

    form = SecurityCodeForm(
        data=request.POST if request.method == "POST" else None, device=device
    )
    if form.is_bound and form.is_valid():
        del request.session[PENDING_SIGN_IN_KEY]
        user.backend = pending["backend"]
        user.otp_device = device  # django-otp marks the session as verified on login
        login(request, user)
        return redirect(pending["next"])
    if form.code_rejected:
        record(AuditAction.SECURITY_CODE_REJECTED, actor=user)
        pending["attempts"] += 1
        if pending["attempts"] >= PENDING_SIGN_IN_ATTEMPTS:
            del request.session[PENDING_SIGN_IN_KEY]
            messages.info(
                request,
                "You entered too many wrong security codes. Enter your username and "
                "password again.",
            )
            return redirect("accounts:sign_in")
        request.session[PENDING_SIGN_IN_KEY] = pending
    return render(request, "accounts/sign_in_code.jinja", {"form": form})


def _pending_user(pending: Any) -> Any:
    if not isinstance(pending, dict):
        return None
    age = timezone.now().timestamp() - float(pending.get("started", 0))
    if not 0 <= age <= PENDING_SIGN_IN_SECONDS:
        return None
    return get_user_model().objects.filter(pk=pending.get("user"), is_active=True).first()


@allowed_before_two_factor
@never_cache
@require_http_methods(["GET", "POST"])
def sign_out(request: HttpRequest) -> HttpResponse:
    """GET asks to confirm; POST (from the header's button or this page) signs out."""
    if request.method == "POST":
        logout(request)
        messages.success(request, "You have signed out")
        return redirect(settings.LOGOUT_REDIRECT_URL)
    return render(request, "accounts/sign_out.jinja")


@allowed_before_two_factor
@require_http_methods(["GET"])
def account(request: HttpRequest) -> HttpResponse:
    """The signed-in person's account: roles, figures policy, two-factor status."""
    user = request.user
    return render(
        request,
        "accounts/account.jinja",
        {
            "user_roles": roles.roles_of(user),
            "disclosure_policy": roles.disclosure_policy_for(user),
            "device": two_factor.confirmed_device(user),
        },
    )


@allowed_before_two_factor
@sensitive_post_parameters("code")
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_set_up(request: HttpRequest) -> HttpResponse:
    """Show the secret (QR code and text) and confirm it with a first security code."""
    if two_factor.has_two_factor(request.user):
        messages.info(request, "Two-factor authentication is already set up")
        return redirect("accounts:account")
    device = two_factor.pending_device(request.user)
    form = SecurityCodeForm(
        data=request.POST if request.method == "POST" else None, device=device
    )
    if form.is_bound and form.is_valid():
        two_factor.confirm_device(device)
        otp_login(request, device)
        record(AuditAction.TWO_FACTOR_ENABLED, request=request)
        messages.success(request, "Two-factor authentication is set up")
        return redirect("accounts:account")
    return render(
        request,
        "accounts/two_factor_set_up.jinja",
        {
            "form": form,
            "qr_code": two_factor.qr_code_svg(
                device.config_url, title="QR code to add this service to your authenticator app"
            ),
            "secret": two_factor.secret_for_typing(device),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def two_factor_turn_off(request: HttpRequest) -> HttpResponse:
    """Confirm, then remove the person's authenticator app (not when it is required)."""
    if not two_factor.has_two_factor(request.user):
        return redirect("accounts:account")
    required = settings.PCREF_REQUIRE_TWO_FACTOR
    if request.method == "POST" and not required:
        two_factor.remove_devices(request.user)
        record(AuditAction.TWO_FACTOR_DISABLED, request=request)
        messages.success(request, "Two-factor authentication is turned off")
        return redirect("accounts:account")
    return render(request, "accounts/two_factor_turn_off.jinja", {"required": required})


def locked_out(
    request: HttpRequest, original_response: Any = None, credentials: Any = None
) -> HttpResponse:
    """The page django-axes shows (HTTP 429) when a username is locked after too many
    wrong passwords (``AXES_LOCKOUT_CALLABLE``)."""
    return render(
        request,
        "accounts/locked_out.jinja",
        {
            "failure_limit": settings.AXES_FAILURE_LIMIT,
            "cool_off_minutes": round(settings.AXES_COOLOFF_TIME.total_seconds() / 60),
        },
        status=429,
    )
