"""Settings for running the application on a laptop: ``uv run python manage.py runserver``.

SQLite at ``demo-data/web.sqlite3`` unless ``DATABASE_URL`` says otherwise; debug pages on;
cookies over plain HTTP. The same strict Content-Security-Policy as production, so a page
that breaks it shows up here first. Never use these settings for a live service.
"""

import os

from pcref.web.settings.base import *  # noqa: F403
from pcref.web.settings.base import REPO_ROOT, env_flag, env_list

DEBUG = True
# A fixed key is fine for a laptop demo and wrong anywhere else (production reads its own).
SECRET_KEY = "local-only-insecure-key-for-the-pcref-demo-never-use-in-production"
ALLOWED_HOSTS = env_list("PCREF_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
PCREF_ALLOW_DEMO_USERS = env_flag("PCREF_ALLOW_DEMO_USERS", True)
# engagement: self-service links are printed to the console and shown on screen (demo only).
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
PCREF_SHOW_SELF_SERVICE_LINKS = True

if "DATABASE_URL" not in os.environ:
    # The default SQLite file lives beside the demo's other generated data (git-ignored).
    (REPO_ROOT / "demo-data").mkdir(exist_ok=True)
