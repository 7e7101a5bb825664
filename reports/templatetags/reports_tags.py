from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def may_see_reports(context) -> bool:
    """Whether the navigation shows "Reports" (managers, leaders, admins); asked once per page."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    if not hasattr(request, "_may_see_reports"):
        request._may_see_reports = user.has_perm("reports.view_dashboard")
    return request._may_see_reports
