from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TeamsConfig(AppConfig):
    name = "teams"
    verbose_name = _("Collaboration teams")

    def ready(self) -> None:
        from core.actions import register_actions
        from notifications import kinds
        from teams.models import TeamAction

        # Notices about teams are "team.<event>" and "meeting.<event>".
        kinds.register(
            "teams", _("My teams: meetings, action items, daily progress"), order=110, areas=["team", "meeting"]
        )
        register_actions(TeamAction.choices)
