"""CC and following: the people on a request's CC list, and those who chose to follow it, hear when
it is filed, accepted and when it ends. One receiver of the action log's signal (core.actions)
does it for every step, so no service has to remember them."""

from django.dispatch import receiver
from django.utils.translation import gettext_noop

from core.actions import action_logged
from tasks.models import Task, TaskAction
from tasks.services.common import notify_about

# The steps followers hear of: filed, taken on, and every way a request ends.
FOLLOWED = {
    TaskAction.SUBMITTED,
    TaskAction.ACCEPTED,
    TaskAction.CONFIRMED,
    TaskAction.REJECTED,
    TaskAction.DECLINED,
    TaskAction.CANCELLED,
    TaskAction.WITHDRAWN,
}


@receiver(action_logged, sender=Task, dispatch_uid="tasks.tell_followers")
def tell_followers(sender, target: Task, entry, **kwargs) -> None:
    if entry.action not in FOLLOWED:
        return
    followers = [user for user in target.watchers.all() if user.pk != entry.actor_id and user.is_active]
    if not followers:
        return
    what = TaskAction(entry.action).label
    if entry.actor_id is None:
        text = gettext_noop("%(number)s “%(title)s”, which you follow: %(what)s.")
        notify_about(followers, target, None, "watching", text, what=what)
    else:
        text = gettext_noop("%(who)s %(what)s: %(number)s “%(title)s”, which you follow.")
        notify_about(followers, target, entry.actor, "watching", text, acting_for=entry.acting_for, what=what)
