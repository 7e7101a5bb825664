from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HandoverConfig(AppConfig):
    name = "handover"
    verbose_name = _("Hand-over")

    def ready(self) -> None:
        from core.actions import register_actions
        from handover import sweep
        from handover.models import HandoverAction
        from notifications import kinds
        from tasks.reminders import register_report

        register_actions(HandoverAction.choices)
        # Notices of a hand-over are "handover.<event>": work handed to me, orphaned steps reported.
        kinds.register(
            "handover",
            _("Work handed over to me, and steps left on accounts that cannot act"),
            order=130,
            areas=["handover"],
            email_by_default=True,
        )
        # The reminder sweep reports steps held by deactivated people (once a day per person).
        register_report("orphans", sweep.report_orphans)
