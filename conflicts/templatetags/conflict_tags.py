"""`{% conflicts_panel obj %}`: the conflicts about a request (or a team) and a link to raise one."""

from django import template

register = template.Library()


@register.inclusion_tag("conflicts/_panel.html", takes_context=True)
def conflicts_panel(context, obj):
    from django.urls import reverse

    from conflicts.rules import can_raise_on_task, can_raise_on_team
    from conflicts.selectors import conflicts_of
    from tasks.models import Task

    user = context["request"].user
    if isinstance(obj, Task):
        conflicts = conflicts_of(user, task=obj)
        raise_url = reverse("conflicts:raise", args=[obj.number]) if can_raise_on_task(user, obj) else ""
    else:
        # The team page is shown only to those who may see the team, and they see its conflicts.
        conflicts = conflicts_of(user, team=obj, team_visible=True)
        raise_url = reverse("conflicts:raise_team", args=[obj.pk]) if can_raise_on_team(user, obj, visible=True) else ""
    return {"conflicts": conflicts, "raise_url": raise_url}
