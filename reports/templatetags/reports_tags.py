import rules
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
        # The rule itself (reports/rules.py): user.has_perm would, for everyone it refuses, go on to
        # Django's model permissions, two queries on every page for a permission no model carries.
        request._may_see_reports = rules.has_perm("reports.view_dashboard", user)
    return request._may_see_reports
