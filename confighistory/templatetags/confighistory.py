"""`{% history_panel obj %}`: the object's history of changes, for those who may read it, on the
object's own page (the departments' and request types' templates name this library; no module of
those apps imports the confighistory app). The entries load only when the panel is opened."""

from django import template
from django.urls import reverse

from confighistory.kinds import kind_of
from confighistory.selectors import scope_for

register = template.Library()


@register.inclusion_tag("confighistory/_panel.html", takes_context=True)
def history_panel(context, obj):
    user = context["request"].user
    kind = kind_of(type(obj))
    show = False
    if kind is not None and obj.pk is not None:
        kinds, departments = scope_for(user)
        if kind in kinds:
            owner = obj.pk if kind.department == "id" else getattr(obj, kind.department or "", None)
            show = departments is None or owner in departments
    url = reverse("confighistory:object", args=[kind.key, obj.pk]) if show else ""
    return {"show": show, "url": url}
