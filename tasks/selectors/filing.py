"""What filing a request needs: approval route, request types, expected finish."""

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from departments.models import Department, User, pick_language
from departments.selectors import working_calendar
from tasks.models import ApprovalStep, RequestType


@dataclass
class RouteStep:
    order: int
    name: str
    mode: str
    approvers: list[User]
    name_en: str = ""
    hours: int | None = None  # promised working hours; None: the type's time to accept

    @property
    def display_name(self) -> str:
        return pick_language(self.name, self.name_en)


def head_above(department: Department | None, besides: User | None = None, *, active: bool = False) -> User | None:
    """The head of `department`, or of the nearest department above it when that head is `besides`
    (or, with `active`, no longer active)."""
    seen = set()
    while department is not None and department.pk not in seen:
        seen.add(department.pk)
        head_id = department.head_id
        if head_id and (besides is None or head_id != besides.pk) and (not active or department.head.is_active):
            return department.head
        department = department.parent
    return None


def approval_route(
    request_type: RequestType,
    requester: User,
    requesting_department: Department,
    values: dict,
    steps: list[ApprovalStep] | None = None,
) -> list[RouteStep]:
    """The steps a request would go through, with their approvers, leaving out steps whose
    condition does not hold. The requester never approves their own request. `steps`, when
    given, are those of a version or a draft (selectors.versions.steps_from) instead of the live ones."""
    if steps is None:
        steps = (
            ApprovalStep.objects.filter(request_type=request_type)
            .select_related("department__head", "request_type__department__head")
            .prefetch_related("users")
            .order_by("order", "pk")
        )
    requesting = (
        Department.objects.select_related("head", "parent__head", "parent__parent__head")
        .filter(pk=requesting_department.pk)
        .first()
    )
    route: list[RouteStep] = []
    for step in steps:
        if not step.applies_to(values):
            continue
        kind = step.approver
        if kind == ApprovalStep.Approver.REQUESTER_MANAGER:
            people = [head_above(requesting, requester, active=True)]
        elif kind == ApprovalStep.Approver.REQUESTER_PARENT_HEAD:
            people = [head_above(requesting.parent if requesting else None, requester, active=True)]
        elif kind == ApprovalStep.Approver.TARGET_MANAGER:
            people = [head_above(request_type.department, requester, active=True)]
        elif kind == ApprovalStep.Approver.DEPARTMENT_HEAD:
            people = [head_above(step.department, requester, active=True)]
        else:
            named = getattr(step, "snapshot_users", None)
            named = step.users.all() if named is None else named
            people = [person for person in named if person.is_active and person.pk != requester.pk]
        approvers = list(dict.fromkeys(person for person in people if person is not None))  # each once, in order
        if approvers:
            route.append(
                RouteStep(
                    order=len(route) + 1,
                    name=str(step),
                    name_en=step.name_en,
                    mode=step.mode,
                    approvers=approvers,
                    hours=step.hours,
                )
            )
    return route


def filing_type(code: str) -> RequestType | None:
    """The active request type `code` with its department and fields (the filing page), or None."""
    return (
        RequestType.objects.select_related("department")
        .prefetch_related("fields")
        .filter(code=code, is_active=True)
        .first()
    )


def may_file(request_type: RequestType, department: Department | None) -> bool:
    """Whether people of `department` may file this type: every department when the type names
    none (the guide's "who may file"), otherwise the named ones. One query, for a restricted type only."""
    if not request_type.filing_restricted:
        return True
    named = set(
        RequestType.filing_departments.through.objects.filter(requesttype_id=request_type.pk).values_list(
            "department_id", flat=True
        )
    )
    return not named or (department is not None and department.pk in named)


def step_hours(request_type: RequestType, hours: int | None) -> int:
    """The working hours an approval step promises: its own, or (none set) the type's time to accept."""
    return request_type.accept_sla_hours if hours is None else hours


def expected_finish(request_type: RequestType, route: list[RouteStep] = ()):
    """When a request of this type filed now along `route` (approval_route) would be finished if
    every promised time were kept: each approval step's own time (step_hours, as the step's due
    time is set), then accepting and finishing, in working hours."""
    hours = sum(step_hours(request_type, step.hours) for step in route)
    hours += request_type.accept_sla_hours + request_type.finish_sla_hours
    return working_calendar(request_type.department_id).add_working_hours(timezone.now(), float(hours))


def request_types_by_department(
    query: str = "", department: Department | None = None
) -> list[tuple[Department, list[RequestType]]]:
    """Active types by handling department; with `department` (the filer's), only those open to it."""
    if "\x00" in query:  # no stored text holds a NUL (PostgreSQL refuses one): nothing matches
        return []
    types = RequestType.objects.filter(is_active=True, department__is_active=True).select_related("department")
    if department is not None:
        closed = RequestType.filing_departments.through.objects.exclude(department_id=department.pk)
        opened = RequestType.filing_departments.through.objects.filter(department_id=department.pk)
        types = types.exclude(Q(pk__in=closed.values("requesttype_id")) & ~Q(pk__in=opened.values("requesttype_id")))
    if query:
        types = types.filter(
            Q(name__icontains=query)
            | Q(name_en__icontains=query)
            | Q(purpose__icontains=query)
            | Q(department__name__icontains=query)
            | Q(department__name_en__icontains=query)
        )
    grouped: dict[int, tuple[Department, list[RequestType]]] = {}
    for request_type in types.order_by("department__sort_order", "department__code", "sort_order", "code"):
        grouped.setdefault(request_type.department_id, (request_type.department, []))[1].append(request_type)
    return list(grouped.values())
