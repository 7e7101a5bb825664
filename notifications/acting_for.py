"""The holder of a step hears when their delegate took it for them.

Every workflow app logs a delegate's step with `acting_for` (core.workflow's step helper), so one
receiver of the action log tells the holder, whatever the app: one notice per step, leading to the
object's page (its `get_absolute_url`)."""

from django.utils.translation import gettext as _

from core.actions import action_label
from notifications.services import notify


def on_action_logged(sender, target, entry, **kwargs) -> None:
    holder, actor = entry.acting_for, entry.actor
    if holder is None or actor is None or holder.pk == actor.pk or not holder.is_active:
        return
    path = target.get_absolute_url() if hasattr(target, "get_absolute_url") else ""
    # A classified document's title stays out of notices (they travel by e-mail and IM): its number.
    what = f"#{target.pk}" if getattr(target, "named_only", False) else str(target)
    notify(
        [holder],
        kind="delegation.acted",
        actor=actor,
        path=path,
        message=lambda: (
            _("%(who)s acted for you (delegation): %(action)s · %(what)s")
            % {"who": actor.name, "action": action_label(entry.action), "what": what}
        ),
    )
