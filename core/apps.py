from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Shared kernel")

    def ready(self) -> None:
        from core.actions import register_actions
        from core.legal_hold import LegalHoldAction

        register_actions(LegalHoldAction.choices)
