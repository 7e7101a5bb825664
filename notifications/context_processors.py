from django.utils.functional import SimpleLazyObject

from notifications import selectors


def bell(request):
    """The unread count for the bell in the navigation, read only if the page shows the bell."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: selectors.unread_count(user))}
