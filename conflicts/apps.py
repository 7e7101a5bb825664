from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConflictsConfig(AppConfig):
    name = "conflicts"
    verbose_name = _("Conflicts")

    def ready(self) -> None:
        from conflicts.models import Conflict, ConflictAction
        from core.actions import register_actions
        from notifications import kinds
        from tasks.selectors import add_page_list

        # Notices about conflicts are "conflict.<event>".
        kinds.register("conflicts", _("Conflicts I am a party to, mediate or arbitrate"), order=120, areas=["conflict"])
        register_actions(ConflictAction.choices)
        # The request page shows its conflicts ({% conflicts_panel %}) only when it has some.
        add_page_list("conflicts", lambda task: Conflict.objects.filter(task=task))
