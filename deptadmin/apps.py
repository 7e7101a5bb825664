from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeptadminConfig(AppConfig):
    name = "deptadmin"
    verbose_name = _("Department administration")

    def ready(self) -> None:
        from core.actions import register_actions
        from deptadmin import selectors
        from deptadmin.services import DeptAdminAction

        register_actions(DeptAdminAction.choices)
        selectors.connect_signals()
