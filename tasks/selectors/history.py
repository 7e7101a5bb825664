"""A request's timeline and form fields."""

from collections.abc import Iterable

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from departments.models import Department, User
from departments.selectors import departments_by_id
from tasks.models import Approval, Attachment, Comment, RequestField, RequestType, RequestTypeVersion, Task, TaskAction
from tasks.selectors.access import may_have
from tasks.selectors.lists import NAME_COLUMNS
from tasks.selectors.versions import fields_from

# Where an approver added someone (加签), as the timeline tells others (the form says "me").
ADDED_WHERE = {
    Approval.Position.BEFORE: gettext_lazy("before them"),
    Approval.Position.AFTER: gettext_lazy("after them"),
    Approval.Position.ALONGSIDE: gettext_lazy("alongside them (会签)"),
}


def timeline(task: Task, known: Iterable[User | None] = ()) -> list[dict]:
    """Transitions, progress, comments and files of a request merged in time order (up to three
    queries: none for comments or files that task_for_page found there are none of). An entry of
    the action log carries the department it names, if any."""

    def of(rows: QuerySet, label: str) -> list[dict]:
        rows = list(rows.filter(task_id=task.pk))
        for row in rows:  # as task.logs etc. would give them: their request is this one, not read again
            type(row).task.field.set_cached_value(row, task)
        return [{"kind": label, "at": row.created_at, "obj": row} for row in rows]

    logs = list(task.logs.select_related("actor", "acting_for"))
    # A transfer, a hold or a co-handling sub-request names a department: the page's cache of
    # them (departments_by_id) knows its name.
    departments = departments_by_id() if any("department" in log.data for log in logs) else {}
    # An accept or a reassignment names the assignee by id (older rows do not): most often the
    # request's assignee or someone who acted on it, already at hand; the others in one query.
    # `known`: people the caller read already (the request page's approvers, whom 加签 and 转签 name).
    people = {user.pk: user for user in (task.assignee, *(log.actor for log in logs), *known) if user}
    # 加签 and 转签 name the person brought in the same way.
    named = {log.data[key] for log in logs for key in ("assignee", "person") if isinstance(log.data.get(key), int)}
    if named - people.keys():
        people |= User.objects.only(*NAME_COLUMNS).in_bulk(named - people.keys())
    items = [
        {
            "kind": "log",
            "at": log.created_at,
            "obj": log,
            "department": departments.get(log.data.get("department")),
            "assignee": people.get(log.data.get("assignee")),
            "person": people.get(log.data.get("person")),
            "position": ADDED_WHERE.get(log.data.get("position"), ""),
        }
        for log in logs
    ]
    if may_have(task, "comments"):
        items += of(Comment.objects.select_related("author"), "comment")
    if may_have(task, "attachments"):
        items += of(Attachment.objects.select_related("uploaded_by"), "file")
    items.sort(key=lambda item: item["at"])
    return items


def latest_return(timeline: list[dict]):
    """The action log entry of the latest return for revision in a request's timeline, if any:
    its reason and the approver's opinion head the returned draft's page."""
    return next(
        (
            item["obj"]
            for item in reversed(timeline)
            if item["kind"] == "log" and item["obj"].action == TaskAction.RETURNED
        ),
        None,
    )


def answers_of(task: Task) -> list[tuple]:
    """The request's extra fields with its answers as people read them, on the version it was filed
    on: a person field names the person and a department field the department (the form stores
    the login and the code the pickers take). One query for the fields, and one for each of those
    two kinds only when the request answered one."""
    answers = [(spec, task.field_values.get(spec.key)) for spec in fields_of(task.request_type, task.type_version_id)]
    wanted = {
        kind: {value for spec, value in answers if spec.kind == kind and value} for kind in ("person", "department")
    }
    names = {
        "person": {u.username: str(u) for u in User.objects.filter(username__in=wanted["person"]).only(*NAME_COLUMNS)}
        if wanted["person"]
        else {},
        "department": {d.code: str(d) for d in Department.objects.filter(code__in=wanted["department"])}
        if wanted["department"]
        else {},
    }
    return [(spec, names.get(spec.kind, {}).get(value, value)) for spec, value in answers]


def fields_of(request_type: RequestType, version_id: int | None = None) -> list:
    """The extra fields of a request type, in order (RequestField.Meta.ordering); with a version
    (the one a request was filed on), that version's fields. One query either way."""
    if version_id is not None:
        version = RequestTypeVersion.objects.filter(pk=version_id).only("snapshot").first()
        if version is not None:
            return fields_from(version.snapshot, request_type)
    return list(RequestField.objects.filter(request_type=request_type))
