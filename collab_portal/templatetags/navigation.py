"""The navigation bar's current section."""

from django import template

register = template.Library()


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
