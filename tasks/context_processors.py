from django.utils.functional import SimpleLazyObject

from tasks import selectors


def navigation(request):
    """The unread count for the bell in the navigation, read with the person's roles (one query
    that most pages make anyway; see selectors._roles), and only if the page shows the bell."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": SimpleLazyObject(lambda: selectors.unread_count(user))}
