from urllib.parse import urlsplit, urlunsplit

from django import template

from deptadmin import selectors

register = template.Library()


@register.simple_tag(takes_context=True)
def administers_departments(context) -> bool:
    """Whether the user menu offers "Department administration" (no query once cached)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return bool(user is not None and selectors.administers_any(user))


@register.filter
def masked_url(url: str) -> str:
    """A robot's address without its token: DingTalk's and WeCom's carry it in the query, Feishu's
    and Slack's as the path's last part."""
    parts = urlsplit(url or "")
    path = parts.path
    head, _slash, last = path.rpartition("/")
    if len(last) > 8:
        path = f"{head}/••••••"
    return urlunsplit((parts.scheme, parts.netloc, path, "••••••" if parts.query else "", ""))
