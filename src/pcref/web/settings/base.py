"""Settings shared by every environment: apps, middleware, templates, security headers.

Environment-specific modules (``local``, ``production``, ``test``) import everything from
here and change only what differs. Values that a deployment sets come from environment
variables prefixed ``PCREF_`` (plus the conventional ``DATABASE_URL``); ``docs/web.md``
lists them.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from jinja2 import ChainableUndefined

WEB_DIR = Path(__file__).resolve().parent.parent
REPO_ROOT = WEB_DIR.parents[2]

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_flag(name: str, default: bool) -> bool:
    """Read a true/false environment variable; anything else is a configuration error."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name}: expected true or false, got {raw!r}")


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    """Read a comma-separated environment variable as a list, ignoring empty items."""
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    """Read a whole-number environment variable; anything else is a configuration error."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}: expected a whole number, got {raw!r}") from None


def database_from_url(default: str) -> dict:
    """The default database from ``DATABASE_URL`` (PostgreSQL, SQLite), else ``default``."""
    config = dj_database_url.parse(os.environ.get("DATABASE_URL") or default)
    config.setdefault("CONN_HEALTH_CHECKS", True)
    return config


# --- Applications --------------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "pcref.web.core",
    "pcref.web.accounts",
    "pcref.web.dashboard",
    # engagement: co-creation network, hub, partnership groups
    "pcref.web.engagement",
    # feedback: the public feedback form
    "pcref.web.feedback",
    # moderation: safeguarding queue, moderation, publishing, "you said, we did"
    "pcref.web.moderation",
    # governance: PCREF action plan, self-assessments, "did it work"
    "pcref.web.governance",
    # publication: board report, public PCREF page and published figures, CQC evidence pack
    "pcref.web.publication",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "pcref.web.accounts.middleware.SessionIdleTimeoutMiddleware",
    # Every page needs signing in unless its view is marked @login_not_required.
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "pcref.web.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Axes last, as its documentation asks: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "pcref.web.urls"
WSGI_APPLICATION = "pcref.web.wsgi.application"

# Pages are Jinja2 templates so the NHS.UK frontend macros (nhsuk-frontend-jinja) can be
# used as published. ChainableUndefined lets the macros read optional nested parameters.
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "pcref.web.templating.environment",
            "undefined": ChainableUndefined,
            "autoescape": True,
            "trim_blocks": True,
            "lstrip_blocks": True,
            "context_processors": [
                "pcref.web.core.context_processors.layout",
            ],
        },
    },
]

# --- Data ----------------------------------------------------------------------------

DATABASES = {"default": database_from_url(f"sqlite:///{REPO_ROOT / 'demo-data' / 'web.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts ------------------------------------------------------------------------

AUTHENTICATION_BACKENDS = [
    # Counts failed sign-ins and refuses locked-out usernames before checking passwords.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:sign_in"
LOGIN_REDIRECT_URL = "core:start"
LOGOUT_REDIRECT_URL = "accounts:sign_in"

# NCSC password guidance: length over complexity rules; block common passwords.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sessions end when the browser closes, after 8 hours at most, and after a period without
# activity (PCREF_SESSION_IDLE_TIMEOUT, enforced by SessionIdleTimeoutMiddleware).
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = int(timedelta(hours=8).total_seconds())
PCREF_SESSION_IDLE_TIMEOUT = timedelta(minutes=env_int("PCREF_SESSION_IDLE_MINUTES", 30))

# Login throttling (django-axes): five wrong passwords for one username lock that username
# for 15 minutes. Successful sign-ins go to our own audit log, which keeps no IP addresses,
# so axes' access log (which does) is switched off.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_LOCKOUT_CALLABLE = "pcref.web.accounts.views.locked_out"
# axes warns (W006) unless IP addresses are part of the lockout. We lock by username only,
# on purpose: NHS staff often share one outward address (trust NAT, proxies), so locking
# an address would let one person's typos, or an attacker, lock out a whole trust. Long
# passwords, the common-password check and optional two-factor answer password spraying.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Optional two-factor authentication (TOTP, RFC 6238) with django-otp. When
# PCREF_REQUIRE_TWO_FACTOR is on, staff without an authenticator app must set one up.
OTP_TOTP_ISSUER = "PCREF"
PCREF_REQUIRE_TWO_FACTOR = env_flag("PCREF_REQUIRE_TWO_FACTOR", False)

# Whether `manage.py create_demo_users` may run (never against a live service).
PCREF_ALLOW_DEMO_USERS = env_flag("PCREF_ALLOW_DEMO_USERS", False)

# The internal (staff) disclosure-control policy for roles allowed to see it; everything
# public always uses the public policy (pcref.disclosure, DESIGN §7).
PCREF_INTERNAL_DISCLOSURE_POLICY = os.environ.get("PCREF_INTERNAL_DISCLOSURE_POLICY", "nhse")

# --- Service -------------------------------------------------------------------------

PCREF_SERVICE_NAME = "Patient and Carer Race Equality Framework"
PCREF_ORGANISATION_NAME = os.environ.get("PCREF_ORGANISATION_NAME", "")
PCREF_ACCESSIBILITY_CONTACT = os.environ.get("PCREF_ACCESSIBILITY_CONTACT", "")
PCREF_PHASE_TAG = os.environ.get("PCREF_PHASE_TAG", "Demonstration")
PCREF_PHASE_TEXT = os.environ.get(
    "PCREF_PHASE_TEXT", "This is a demonstration with synthetic data."
)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files --------------------------------------------------------------------
# Built by scripts/web-build into pcref/web/core/static/ (see frontend/build.mjs).

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("PCREF_STATIC_ROOT", REPO_ROOT / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Security headers ----------------------------------------------------------------

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "pcref.web.core.views.csrf_failure"

# Strict Content-Security-Policy: everything from this origin, no inline styles, and no
# inline scripts except the one-line script in the NHS page template, which carries a
# per-request nonce. Charts must run Vega in its CSP-safe mode (no eval, no injected style).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# --- Engagement (co-creation network self-service links) ------------------------------
# Links that let network members see, download, change or erase their details without an
# account are signed with SECRET_KEY and expire after this many hours. They are emailed;
# only local/demo settings also show them on screen (PCREF_SHOW_SELF_SERVICE_LINKS).
PCREF_SELF_SERVICE_LINK_HOURS = env_int("PCREF_SELF_SERVICE_LINK_HOURS", 24)
PCREF_SHOW_SELF_SERVICE_LINKS = False
# Posts one connection may make an hour to the network's and hub's public forms (joining,
# asking for a link, contributing, suggesting a topic, reporting), counted together against
# a salted hash that rotates daily and lives only in the cache (pcref.web.core.rate_limit).
PCREF_ENGAGEMENT_POSTS_PER_HOUR = env_int("PCREF_ENGAGEMENT_POSTS_PER_HOUR", 10)
DEFAULT_FROM_EMAIL = os.environ.get("PCREF_EMAIL_FROM", "pcref@localhost")
EMAIL_HOST = os.environ.get("PCREF_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("PCREF_EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("PCREF_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("PCREF_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_flag("PCREF_EMAIL_USE_TLS", False)
# Retention (`pcref retention`): network members not in touch for this long (joining or
# using their link counts; partnership group members are kept), hub posts, and hub posts
# that were not published (counted from the moderator's decision). Set these from the
# trust's own retention schedule.
PCREF_RETENTION_NETWORK_INACTIVE_DAYS = env_int("PCREF_RETENTION_NETWORK_INACTIVE_DAYS", 3 * 365)
PCREF_RETENTION_HUB_DAYS = env_int("PCREF_RETENTION_HUB_DAYS", 3 * 365)
PCREF_RETENTION_HUB_UNPUBLISHED_DAYS = env_int("PCREF_RETENTION_HUB_UNPUBLISHED_DAYS", 180)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("PCREF_LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# --- Feedback (the public feedback form; docs/feedback.md) ---------------------------

# Days a feedback submission is kept before `pcref retention` deletes or anonymises it.
# Set from the trust's own retention schedule (Records Management Code, Appendix II).
PCREF_FEEDBACK_RETENTION_DAYS = env_int("PCREF_FEEDBACK_RETENTION_DAYS", 3 * 365)
# Feedback sent from one connection per hour before the form asks it to wait. Counted
# against a salted hash that rotates daily and lives only in the cache, never the database.
PCREF_FEEDBACK_SUBMISSIONS_PER_HOUR = env_int("PCREF_FEEDBACK_SUBMISSIONS_PER_HOUR", 10)

# --- Retention (`pcref retention`; docs/moderation.md) --------------------------------

# Comments follow PCREF_FEEDBACK_RETENTION_DAYS (above). Contact details exist only to
# follow up a safeguarding concern, so they go sooner; about-you answers feed the figures
# by ethnic group. Audit events are kept for ever unless PCREF_RETENTION_AUDIT_DAYS > 0.
PCREF_RETENTION_CONTACT_DETAILS_DAYS = env_int("PCREF_RETENTION_CONTACT_DETAILS_DAYS", 90)
PCREF_RETENTION_ABOUT_YOU_DAYS = env_int("PCREF_RETENTION_ABOUT_YOU_DAYS", 3 * 365)
PCREF_RETENTION_AUDIT_DAYS = env_int("PCREF_RETENTION_AUDIT_DAYS", 0)

# --- Governance (evidence files for PCREF actions) -------------------------------------
# Uploaded evidence is stored under MEDIA_ROOT and served only by the governance app's own
# view to staff who may read the plan; there is deliberately no MEDIA_URL.
MEDIA_ROOT = Path(os.environ.get("PCREF_MEDIA_ROOT", REPO_ROOT / "demo-data" / "media"))
PCREF_EVIDENCE_MAX_BYTES = env_int("PCREF_EVIDENCE_MAX_BYTES", 10 * 1024 * 1024)
