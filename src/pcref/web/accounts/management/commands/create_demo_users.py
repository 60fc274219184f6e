"""``manage.py create_demo_users``: one demonstration account per role, passwords printed.

Safe to run again: accounts are created once and then reset to one role and a new
password (printed again), so the set of accounts and roles ends the same every time.
Refused unless ``PCREF_ALLOW_DEMO_USERS`` is on (it is in the local and test settings,
never by default in production).
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from pcref.web.accounts.roles import ROLES, assign_roles, sync_roles


def demo_username(role_slug: str) -> str:
    """``pcref_lead`` → ``demo-pcref-lead``."""
    return "demo-" + role_slug.replace("_", "-")


class Command(BaseCommand):
    help = "Create or reset one demonstration account per role and print their passwords."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--password",
            help="Give every demo account this password instead of a new random one each.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.PCREF_ALLOW_DEMO_USERS:
            raise CommandError(
                "demo accounts are switched off for these settings "
                "(set PCREF_ALLOW_DEMO_USERS=true only for a demonstration)"
            )
        User = get_user_model()
        rows = []
        with transaction.atomic():
            sync_roles()
            for role in ROLES:
                username = demo_username(role.slug)
                user, _ = User.objects.get_or_create(**{User.USERNAME_FIELD: username})
                password = options["password"] or secrets.token_urlsafe(12)
                validate_password(password, user)
                user.first_name = "Demo"
                user.last_name = role.name
                user.is_active = True
                user.is_staff = False
                user.is_superuser = False
                user.set_password(password)
                user.save()
                assign_roles(user, [role.slug])
                rows.append((username, role.name, password))
        width = max(len(username) for username, _, _ in rows)
        role_width = max(len(role) for _, role, _ in rows)
        self.stdout.write(f"{'username':<{width}}  {'role':<{role_width}}  password")
        for username, role, password in rows:
            self.stdout.write(f"{username:<{width}}  {role:<{role_width}}  {password}")
