"""Settings for a live service, read from environment variables only.

Required: ``PCREF_SECRET_KEY`` (50+ random characters), ``PCREF_ALLOWED_HOSTS`` (comma
separated host names) and ``DATABASE_URL`` (PostgreSQL, e.g.
``postgres://pcref@db.example.nhs.uk:5432/pcref``). Passes ``manage.py check --deploy``:
HTTPS only with HSTS, secure ``__Host-`` cookies, static files served by WhiteNoise with
hashed names. The full list of variables is in ``docs/web.md``.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from pcref.web.settings.base import *  # noqa: F403
from pcref.web.settings.base import (
    CONTENT_SECURITY_POLICY,
    MIDDLEWARE,
    database_from_url,
    env_flag,
    env_int,
    env_list,
)


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} must be set for production (see docs/web.md)")
    return value


DEBUG = False
SECRET_KEY = _required("PCREF_SECRET_KEY")
ALLOWED_HOSTS = env_list("PCREF_ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("PCREF_ALLOWED_HOSTS must list the service's host names")
CSRF_TRUSTED_ORIGINS = env_list("PCREF_CSRF_TRUSTED_ORIGINS")

_required("DATABASE_URL")
DATABASES = {"default": database_from_url(os.environ["DATABASE_URL"])}
DATABASES["default"]["CONN_MAX_AGE"] = env_int("PCREF_DB_CONN_MAX_AGE", 60)

# HTTPS everywhere. Behind a TLS-terminating proxy, set PCREF_TRUST_X_FORWARDED_PROTO=true
# so Django believes the proxy's X-Forwarded-Proto header (and only then).
SECURE_SSL_REDIRECT = env_flag("PCREF_SSL_REDIRECT", True)
if env_flag("PCREF_TRUST_X_FORWARDED_PROTO", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("PCREF_HSTS_SECONDS", 63072000)  # two years
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_flag("PCREF_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_flag("PCREF_HSTS_PRELOAD", True)

# Cookies only over HTTPS; the __Host- prefix makes the browser refuse them unless they are
# Secure, for this host only and for the whole path.
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-pcref-session"
CSRF_COOKIE_NAME = "__Host-pcref-csrftoken"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {**CONTENT_SECURITY_POLICY["DIRECTIVES"], "upgrade-insecure-requests": True}
}

# WhiteNoise serves the collected static files (manage.py collectstatic) with far-future
# cache headers, compressed, under content-hashed names.
MIDDLEWARE = [
    MIDDLEWARE[0],
    "whitenoise.middleware.WhiteNoiseMiddleware",
    *MIDDLEWARE[1:],
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
