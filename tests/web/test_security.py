"""Security headers and settings: a strict Content-Security-Policy on every page (no
'unsafe-inline', one nonce'd inline script, no inline styles), framing and sniffing
blocked, and the production settings passing Django's deployment checklist."""

import json
import os
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse

REPO = Path(__file__).resolve().parents[2]

#: Pages to inspect as HTML, with who can see them.
PAGES = [
    ("anonymous", "core:start"),
    ("anonymous", "core:accessibility"),
    ("anonymous", "accounts:sign_in"),
    ("viewer", "core:start"),
    ("viewer", "accounts:account"),
    ("viewer", "accounts:sign_out"),
    ("viewer", "accounts:two_factor_set_up"),
    ("analyst", "dashboard:index"),
    ("administrator", "core:audit_log"),
    ("viewer", "core:audit_log"),  # the 403 page
]


def parse_csp(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


class _InlineCode(HTMLParser):
    """Collects every <script>, <style> and style="" in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.style_elements = 0
        self.style_attributes: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            self.scripts.append(attributes)
        if tag == "style":
            self.style_elements += 1
        if "style" in attributes:
            self.style_attributes.append(tag)


@pytest.mark.django_db
@pytest.mark.parametrize(("principal", "url_name"), PAGES)
def test_every_page_has_a_strict_content_security_policy(principal, url_name, client_for):
    response = client_for(principal).get(reverse(url_name))
    assert response.status_code in (200, 403)
    csp = parse_csp(response["Content-Security-Policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    script_src = csp["script-src"]
    assert "'self'" in script_src
    assert not {"'unsafe-inline'", "'unsafe-eval'", "*", "data:"} & set(script_src)
    nonces = [s[len("'nonce-") : -1] for s in script_src if s.startswith("'nonce-")]
    assert len(nonces) == 1

    page = _InlineCode()
    page.feed(response.content.decode())
    assert page.style_elements == 0 and page.style_attributes == []
    inline = [s for s in page.scripts if not s.get("src")]
    assert len(inline) == 1 and inline[0].get("nonce") == nonces[0]
    for script in page.scripts:
        if script.get("src"):
            assert script["src"].startswith("/static/"), script  # same origin, no CDN


@pytest.mark.django_db
def test_the_nonce_changes_with_every_response(client_for):
    client = client_for("anonymous")
    headers = {client.get("/")["Content-Security-Policy"] for _ in range(3)}
    assert len(headers) == 3


@pytest.mark.django_db
def test_other_security_headers(client_for):
    response = client_for("anonymous").get("/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def _run_production(
    script: str, _argv: str | None = None, **env_overrides: str
) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pcref.web.settings.production",
        "PCREF_SECRET_KEY": secrets.token_urlsafe(64),
        "PCREF_ALLOWED_HOSTS": "pcref.example.nhs.uk",
        "DATABASE_URL": "sqlite://:memory:",
        **env_overrides,
    }
    for name in ("PCREF_SSL_REDIRECT", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    command = [sys.executable, "-c", script, *([_argv] if _argv is not None else [])]
    return subprocess.run(
        command, env=env, cwd=REPO, capture_output=True, text=True, timeout=120
    )


PRODUCTION_PROBE = """
import json, django
django.setup()
from django.core.management import call_command
from django.test import Client
call_command("check", deploy=True, fail_level="WARNING")
client = Client(HTTP_HOST="pcref.example.nhs.uk")
plain = client.get("/healthz/")
secure = client.get("/healthz/", secure=True)
from django.conf import settings
print(json.dumps({
    "plain_status": plain.status_code, "plain_location": plain.get("Location"),
    "secure_status": secure.status_code,
    "hsts": secure.get("Strict-Transport-Security"),
    "csp": secure.get("Content-Security-Policy"),
    "session_cookie": settings.SESSION_COOKIE_NAME,
    "cookies_secure": [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE],
    "static_storage": settings.STORAGES["staticfiles"]["BACKEND"],
}))
"""


def test_production_settings_pass_the_deployment_checklist(tmp_path):
    result = _run_production(PRODUCTION_PROBE, PCREF_STATIC_ROOT=str(tmp_path))
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["plain_status"] == 301
    assert found["plain_location"] == "https://pcref.example.nhs.uk/healthz/"
    assert found["secure_status"] == 200
    assert found["hsts"] == "max-age=63072000; includeSubDomains; preload"
    assert "upgrade-insecure-requests" in found["csp"]
    assert found["session_cookie"].startswith("__Host-")
    assert found["cookies_secure"] == [True, True]
    assert found["static_storage"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"


SETTINGS_PROBE = """
import importlib, json, os, sys
results = {}
for name, overrides in json.loads(sys.argv[1]).items():
    saved = dict(os.environ)
    os.environ.update(overrides)
    sys.modules.pop("pcref.web.settings.production", None)
    try:
        importlib.import_module("pcref.web.settings.production")
        results[name] = "loaded"
    except Exception as error:
        results[name] = f"{type(error).__name__}: {error}"
    os.environ.clear()
    os.environ.update(saved)
print(json.dumps(results))
"""


def test_production_settings_refuse_missing_or_bad_values():
    cases = {
        "complete": {},
        "no secret key": {"PCREF_SECRET_KEY": ""},
        "no hosts": {"PCREF_ALLOWED_HOSTS": " , "},
        "no database": {"DATABASE_URL": ""},
        "bad flag": {"PCREF_HSTS_PRELOAD": "maybe"},
        "bad number": {"PCREF_HSTS_SECONDS": "a year"},
    }
    result = _run_production(SETTINGS_PROBE, _argv=json.dumps(cases))
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found == {
        "complete": "loaded",
        "no secret key": "ImproperlyConfigured: PCREF_SECRET_KEY must be set for production "
        "(see docs/web.md)",
        "no hosts": "ImproperlyConfigured: PCREF_ALLOWED_HOSTS must list the service's host "
        "names",
        "no database": "ImproperlyConfigured: DATABASE_URL must be set for production "
        "(see docs/web.md)",
        "bad flag": "ImproperlyConfigured: PCREF_HSTS_PRELOAD: expected true or false, "
        "got 'maybe'",
        "bad number": "ImproperlyConfigured: PCREF_HSTS_SECONDS: expected a whole number, "
        "got 'a year'",
    }
