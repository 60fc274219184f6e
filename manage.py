#!/usr/bin/env python
"""Django's command line for the PCREF web application (``uv run python manage.py ...``).

Uses the local settings unless ``DJANGO_SETTINGS_MODULE`` says otherwise; see docs/web.md.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pcref.web.settings.local")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
