"""The navigation bar's unchanging parts (collab_portal.unchanging), and the current section.

Every page shows the same links; rendering them cost a dozen {% url %} and {% translate %} and
about a millisecond of CPU per page. What they depend on besides the language is passed in and
named in the key (the page's section, whether the person sees reports, whether they are staff).
What differs per person or per request (their name, the unread count, the CSRF token, the search
box's text) stays in base.html.
"""

from django import template
from django.template.loader import get_template

from collab_portal.unchanging import once

register = template.Library()


@register.simple_tag
def unchanging(template_name: str, **values) -> str:
    """`template_name` rendered with `values` alone (no request, no user), once per key."""
    return once((template_name, tuple(sorted(values.items()))), lambda: get_template(template_name).render(values))


# The navigation item a page belongs to: (app, url names or None for any) → section.
SECTIONS = [
    ("tasks", {"new", "file"}, "new"),
    ("tasks", {"list", "inbox"}, "requests"),
    ("documents", None, "documents"),
    ("teams", None, "teams"),
    ("conflicts", None, "conflicts"),
    ("departments", {"directory", "department"}, "departments"),
]


@register.simple_tag(takes_context=True)
def navigation_section(context) -> str:
    """Which navigation item to show as the current one ("" for none)."""
    match = getattr(context.get("request"), "resolver_match", None)
    if match is None:
        return ""
    if match.app_name == "reports":
        return "" if match.url_name == "search" else "reports"
    for app, names, section in SECTIONS:
        if match.app_name == app and (names is None or match.url_name in names):
            return section
    return ""
