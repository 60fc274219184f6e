from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccountsConfig(AppConfig):
    """Roles, sign-in, two-factor authentication and session rules."""

    name = "pcref.web.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from pcref.web.accounts import roles, signals  # noqa: F401  (connects audit hooks)

        post_migrate.connect(roles.sync_roles_after_migrate, dispatch_uid="pcref-sync-roles")
