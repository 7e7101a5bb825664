from django import template

from api.services import tokens_of

register = template.Library()


@register.inclusion_tag("api/_tokens.html", takes_context=True)
def api_tokens_panel(context, person):
    """The personal access tokens card of a profile page: the person's own, or anyone's for an admin."""
    user = context["request"].user
    shown = user.pk == person.pk or user.is_superuser
    return {
        "person": person,
        "shown": shown,
        "is_self": user.pk == person.pk,
        "tokens": list(tokens_of(person)) if shown else [],
        "csrf_token": context.get("csrf_token"),
    }
