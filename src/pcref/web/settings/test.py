"""Settings for the test suite (tests/web): in-memory SQLite, or the database in
``DATABASE_URL`` when set (the suite runs again on PostgreSQL when one is reachable).

Passwords are hashed with a fast hasher so tests stay quick; everything else, including
the Content-Security-Policy, login throttling and the session timeout, is as in production.
"""

import os

from pcref.web.settings.base import *  # noqa: F403
from pcref.web.settings.base import database_from_url

DEBUG = False
SECRET_KEY = "test-only-key-for-the-pcref-web-tests-not-a-secret-at-all"
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
DATABASES = {"default": database_from_url("sqlite://:memory:")}
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    # A test database of its own per run, so runs on a shared server cannot collide.
    DATABASES["default"]["TEST"] = {"NAME": f"test_pcref_web_{os.getpid()}"}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PCREF_ALLOW_DEMO_USERS = True
PCREF_REQUIRE_TWO_FACTOR = False
