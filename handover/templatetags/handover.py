"""`{% handover_link person %}`: the person's page offers their hand-over to whoever may do it
(the departments app's template names this library; no module of it imports the handover app)."""

from django import template

from handover.rules import may_hand_over

register = template.Library()


@register.inclusion_tag("handover/_link.html", takes_context=True)
def handover_link(context, person):
    user = context["request"].user
    return {"person": person, "show": may_hand_over(user, person)}
