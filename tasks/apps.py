from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TasksConfig(AppConfig):
    name = "tasks"
    verbose_name = _("Requests")

    def ready(self) -> None:
        from core.actions import register_actions
        from tasks import decide, notices, watching  # noqa: F401 - notice kinds, digest part, decision links, followers
        from tasks.models import RequestTypeAction, TaskAction

        register_actions(TaskAction.choices)
        register_actions(RequestTypeAction.choices)
