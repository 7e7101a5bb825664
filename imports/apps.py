from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "imports"
    verbose_name = _("Imports and exports of the organisation")

    def ready(self) -> None:
        from core.actions import register_actions
        from imports.models import ImportAction

        register_actions(ImportAction.choices)
