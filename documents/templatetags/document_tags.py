"""`{% received_document task %}`: on a request's page, the received document (收文) it was routed
from, if any. The documents app serves it, so the requests app need not know received documents."""

from django import template

register = template.Library()


@register.inclusion_tag("documents/_received_document.html")
def received_document(task):
    from documents.models import IncomingRoute
    from tasks.selectors import may_have

    if not may_have(task, "incoming_route"):  # the request page read that it has none
        return {"route": None}
    return {"route": IncomingRoute.objects.filter(task=task).select_related("incoming").first()}
