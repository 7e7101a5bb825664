from tasks.models import Notification


def navigation(request):
    """The unread count for the bell in the navigation (one query on signed-in pages)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def unread():
        return Notification.objects.filter(recipient=user, read_at__isnull=True).count()

    from django.utils.functional import SimpleLazyObject

    return {"unread_notifications": SimpleLazyObject(unread)}
