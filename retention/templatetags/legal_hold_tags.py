"""`{% legal_hold_panel item %}`: on a request's or an official document's page, the "Legal hold"
panel for those who may place and lift holds (retention/rules.py): the hold now, its history, and
the form. The lower apps' templates name this library; no module of theirs imports retention."""

from django import template
from django.urls import reverse

from retention.forms import LegalHoldForm
from retention.rules import may_manage_legal_holds
from retention.selectors import hold_history

register = template.Library()


@register.inclusion_tag("retention/_panel.html", takes_context=True)
def legal_hold_panel(context, item):
    user = context["request"].user
    if not may_manage_legal_holds(user):
        return {"show": False}
    if item._meta.label == "tasks.Task":
        name, key = "retention:request_hold", item.number
    else:
        name, key = "retention:document_hold", item.pk
    step = "lift" if item.legal_hold else "place"
    return {
        "show": True,
        "item": item,
        "step": step,
        "action": reverse(name, args=[key, step]),
        "history": hold_history(item)[:10],
        "form": LegalHoldForm(auto_id=f"id_hold_%s_{step}"),
        "csrf_token": context.get("csrf_token"),
    }
