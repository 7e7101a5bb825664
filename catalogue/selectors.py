"""What the catalogue's pages read."""

from django.db.models import QuerySet

from departments.models import User
from departments.selectors import departments_administered_by
from tasks.models import RequestType


def types_administered_by(user: User) -> QuerySet[RequestType]:
    """The request types of the departments `user` administers, with what the list shows."""
    return (
        RequestType.objects.filter(department__in=departments_administered_by(user))
        .select_related("department", "current_version")
        .order_by("department__sort_order", "department__code", "sort_order", "code")
    )
