"""The reads of the webhook pages, scoped to what the person may manage."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from departments.models import Department, User
from departments.selectors import departments_managed_by
from webhooks.models import Delivery, Endpoint

RECENT_DELIVERIES = 50


def endpoints_for(user: User) -> QuerySet[Endpoint]:
    """The endpoints `user` may see and manage: all for admins, their departments' for heads."""
    endpoints = Endpoint.objects.select_related("department", "created_by")
    if user.is_superuser:
        return endpoints
    return endpoints.filter(department__in=departments_managed_by(user).values("pk"))


def endpoint_for_page(user: User, pk: int) -> Endpoint:
    """One endpoint `user` manages, or 404 (another department's looks like none at all)."""
    return get_object_or_404(endpoints_for(user), pk=pk)


def departments_for(user: User) -> QuerySet[Department]:
    """The departments `user` may register endpoints for."""
    if user.is_superuser:
        return Department.objects.filter(is_active=True)
    return Department.objects.filter(pk__in=departments_managed_by(user).values("pk"), is_active=True)


def recent_deliveries(endpoint: Endpoint) -> list[Delivery]:
    return list(
        endpoint.deliveries.only(
            "pk",
            "endpoint_id",
            "event",
            "status",
            "attempts",
            "response_code",
            "last_error",
            "created_at",
            "sent_at",
            "next_attempt_at",
        )[:RECENT_DELIVERIES]
    )


def owners_of(endpoint: Endpoint) -> list[User]:
    """Who hears that an endpoint was paused: whoever registered it and its department's head."""
    people = [endpoint.created_by]
    if endpoint.department_id and endpoint.department.head_id:
        people.append(endpoint.department.head)
    return people
