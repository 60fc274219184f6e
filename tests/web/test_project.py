"""The project as a whole: migrations match the models, and Django's system checks pass."""

import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_migrations_match_the_models():
    out = io.StringIO()
    try:
        call_command("makemigrations", check=True, dry_run=True, stdout=out)
    except SystemExit:
        pytest.fail(f"models changed without a migration:\n{out.getvalue()}")


def test_system_checks_pass():
    call_command("check", fail_level="WARNING", stdout=io.StringIO())
