from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from core.actions import action_logged
        from notifications import acting_for, kinds

        # A delegate's step, in any app, is told to the person they acted for ("delegation.<event>").
        kinds.register("delegation", _("My delegate acted for me"), order=135, areas=["delegation"])
        action_logged.connect(acting_for.on_action_logged, dispatch_uid="notifications.acting_for")
