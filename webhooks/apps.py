from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = _("Outgoing webhooks")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from core.actions import action_logged, register_actions
        from notifications import kinds
        from tasks.signals import request_overdue
        from webhooks import events
        from webhooks.models import Endpoint, WebhookAction

        register_actions(WebhookAction.choices)
        # Notices about endpoints are "webhook.<event>" (an endpoint paused after failures).
        kinds.register("webhooks", _("Webhooks: an endpoint I manage was paused"), order=900, areas=["webhook"])
        # Events come from the action log and the overdue sweep, never from calls in the services.
        action_logged.connect(events.on_action_logged, dispatch_uid="webhooks.events")
        request_overdue.connect(events.on_request_overdue, dispatch_uid="webhooks.overdue")
        # Edits in Django's admin change the subscriptions too.
        for name, signal in (("save", post_save), ("delete", post_delete)):
            signal.connect(
                lambda **kwargs: events.subscriptions_changed(),
                sender=Endpoint,
                weak=False,
                dispatch_uid=f"webhooks.endpoint_{name}",
            )
