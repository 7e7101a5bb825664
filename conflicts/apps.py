from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConflictsConfig(AppConfig):
    name = "conflicts"
    verbose_name = _("Conflicts")

    def ready(self) -> None:
        from conflicts.models import ConflictAction
        from core.actions import register_actions
        from notifications import kinds

        # Notices about conflicts are "conflict.<event>".
        kinds.register("conflicts", _("Conflicts I am a party to, mediate or arbitrate"), order=120, areas=["conflict"])
        register_actions(ConflictAction.choices)
