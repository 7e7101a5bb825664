from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Sign-in and directory")

    def ready(self):
        from accounts import signals  # noqa: F401 - connects the sign-in audit trail
        from accounts.services import ACTIONS
        from core.actions import register_actions

        register_actions(ACTIONS)
