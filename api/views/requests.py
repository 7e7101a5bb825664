"""Requests (事务): list, read, file, and every step, through the selectors, rules, forms and
services the pages use (tasks.selectors, tasks.rules, tasks.forms, tasks.services)."""

import re
import uuid

from django.http import Http404, QueryDict
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as s
from api.errors import Conflict, StepRefused
from api.pagination import NewestFirst
from api.views.common import step_view_class
from core.workflow import StepConflict, StepError
from tasks import forms, selectors, services
from tasks.models import Task
from tasks.rules import can
from tasks.views import run_action

SLUG = re.compile(r"[-a-zA-Z0-9_]{1,40}")

# The lists of the request pages (tasks.views.SCOPES): the same selectors.
SCOPES = {
    "all": selectors.tasks_for_list,
    "mine": selectors.my_requests,
    "assigned": selectors.assigned_to,
    "approvals": selectors.tasks_to_approve,
}

# API step -> (the request page's action, the rule of tasks/rules.py it answers to).
STEPS = {
    "approve": ("approve", "approve", s.OpinionBody),
    "reject": ("reject", "approve", s.ReasonBody),
    "return": ("return", "approve", s.ReasonBody),
    "add_approver": ("add_approver", "add_approver", s.AddApproverBody),
    "forward": ("forward", "forward", s.ForwardBody),
    "accept": ("accept", "accept", s.AssignBody),
    "assign": ("reassign", "reassign", s.AssignBody),
    "decline": ("decline", "decline", s.ReasonBody),
    "transfer": ("transfer", "transfer", s.TransferBody),
    "progress": ("progress", "progress", s.ProgressBody),
    "hold": ("hold", "hold", s.HoldBody),
    "resume": ("resume", "resume", s.NoteBody),
    "finish": ("finish", "finish", s.NoteBody),
    "submit": ("submit", "submit", s.NoteBody),
    "confirm": ("confirm", "verify", s.NoteBody),
    "reopen": ("reopen", "verify", s.ReasonBody),
    "revise": ("revise", "revise", s.NoteBody),
    "cancel": ("cancel", "cancel", s.NoteBody),
    "withdraw": ("withdraw", "withdraw", s.NoteBody),
    "urge": ("urge", "urge", s.NoteBody),
    "comment": ("comment", "comment", s.CommentBody),
    "attach": ("comment", "comment", s.CommentBody),
}
# The page's buttons, by the name the API gives them.
ALLOWED = {api_step: rule for api_step, (_page, rule, _body) in STEPS.items()}

ERRORS = {
    400: OpenApiResponse(s.ErrorBody, description="Bad input, with a message per field."),
    401: OpenApiResponse(s.ErrorBody, description="No credentials, or a token expired or revoked."),
    403: OpenApiResponse(s.ErrorBody, description="Not allowed (or a read-scope token)."),
    404: OpenApiResponse(s.ErrorBody, description="No such request, or one the caller may not see."),
}


def form_data(data) -> QueryDict:
    """A JSON body as the form data the pages post: scalars as text, lists as repeated values.
    Anything else (an object where a value belongs) is bad input, not a server error."""
    if isinstance(data, QueryDict):
        return data
    if not isinstance(data, dict):
        raise ValidationError({"non_field_errors": [_("Send a JSON object.")]})
    post = QueryDict(mutable=True)
    for key, value in data.items():
        values = value if isinstance(value, list) else [value]
        texts = []
        for item in values:
            if isinstance(item, bool):
                texts.append("true" if item else "false")
            elif item is None:
                texts.append("")
            elif isinstance(item, int) and not -(2**63) < item < 2**63:
                # Past what a database column holds: a form would pass it on to a query.
                raise ValidationError({key: [_("This number is too large.")]})
            elif isinstance(item, str | int | float):
                texts.append(str(item))
            else:
                raise ValidationError({key: [_("Give a value, not an object.")]})
        post.setlist(str(key), texts)
    return post


def form_errors(form, rename=lambda name: name) -> dict:
    errors = {}
    for name, messages in form.errors.items():
        errors["non_field_errors" if name == "__all__" else rename(name)] = [str(m) for m in messages]
    return errors


def task_or_404(user, number: str) -> Task:
    """The request if the caller may see it; 404 otherwise (tasks.selectors.task_for_page)."""
    if len(number) > 20 or "\x00" in number:
        raise Http404
    try:
        return selectors.task_for_page(user, number)
    except Task.DoesNotExist:
        raise Http404 from None


def detail_data(task: Task, user) -> dict:
    """The request page's content (tasks.views.detail) as RequestDetail data."""
    task.api_fields = [
        {"key": spec.key, "label": spec.display_label, "kind": spec.kind, "value": task.field_values.get(spec.key)}
        for spec in selectors.fields_of(task.request_type, task.type_version_id)
    ]
    approvals = (
        task.approvals.filter(round=task.approval_round).select_related(
            "approver", "decided_by", "added_by", "forwarded_from"
        )
        if selectors.may_have(task, "approvals")
        else []
    )
    task.api_approvals = [
        {
            "step_order": a.step_order,
            "step_name": a.step_name,
            "approver": a.approver,
            "decision": a.decision,
            "decided_by": a.decided_by,
            "opinion": a.opinion,
            "decided_at": a.decided_at,
            "added_by": a.added_by,
            "forwarded_from": a.forwarded_from,
            "note": a.note,
        }
        for a in approvals
    ]
    task.api_timeline = s.timeline_entries(task, selectors.timeline(task))
    task.api_allowed = [name for name, rule in ALLOWED.items() if can(user, rule, task)]
    return s.RequestDetail(task).data


class RequestList(APIView):
    @extend_schema(
        operation_id="requests_list",
        summary="List requests",
        description="The requests the caller may see, with the request lists' filters, newest first, a page "
        "at a time (follow `next`).",
        parameters=[
            OpenApiParameter("scope", enum=list(SCOPES), description="Which list (default all)."),
            OpenApiParameter("q", str, description="Number or title contains."),
            OpenApiParameter("state", enum=Task.State.values),
            OpenApiParameter("department", int, description="Requesting or handling department (id)."),
            OpenApiParameter("request_type", int, description="Request type (id)."),
            OpenApiParameter("priority", int),
            OpenApiParameter("overdue", bool),
            OpenApiParameter("limit", int, description="Rows per page, up to 100."),
        ],
        responses={200: s.RequestRow(many=True), 400: ERRORS[400], 401: ERRORS[401]},
    )
    def get(self, request):
        scope = request.query_params.get("scope", "all")
        if scope not in SCOPES:
            raise ValidationError({"scope": [_("Choose one of: %(scopes)s.") % {"scopes": ", ".join(SCOPES)}]})
        filters = {}
        params = request.query_params.copy()
        for name in ("scope", "cursor", "limit"):
            params.pop(name, None)
        if params:
            form = forms.FilterForm(params)
            if not form.is_valid():
                raise ValidationError(form_errors(form))
            filters = form.cleaned_data
        rows = selectors.filter_tasks(SCOPES[scope](request.user), filters).values("pk", "created_at")
        paginator = NewestFirst()
        page = paginator.paginate_queryset(rows, request, view=self)
        tasks = selectors.rows_of([row["pk"] for row in page])
        return paginator.get_paginated_response(s.RequestRow(tasks, many=True).data)

    @extend_schema(
        operation_id="requests_file",
        summary="File a request",
        description="Files a request as the filing form does (the type's fields validated the same way). "
        "Send `Idempotency-Key` to file once however often the call is repeated: the same key again "
        "answers with the request the first call filed. Files: multipart, under the form's names "
        "(`f_<key>` for a file field, `attachments`).",
        request={"application/json": s.FileBody, "multipart/form-data": s.FileBody},
        parameters=[OpenApiParameter("Idempotency-Key", str, OpenApiParameter.HEADER)],
        responses={201: s.RequestDetail, 400: ERRORS[400], 401: ERRORS[401], 403: ERRORS[403]},
    )
    def post(self, request):
        user = request.user
        token = None
        key = request.headers.get("Idempotency-Key")
        if key is not None:
            if not key or len(key) > 200 or "\x00" in key:
                raise ValidationError({"Idempotency-Key": [_("Send a key of 1 to 200 characters.")]})
            # One key per person: the same key from someone else files their own request.
            token = uuid.uuid5(uuid.NAMESPACE_URL, f"collab-portal:{user.pk}:{key}")
            filed = Task.objects.filter(submit_token=token, requester=user).values_list("number", flat=True).first()
            if filed:
                response = Response(detail_data(task_or_404(user, filed), user), status=status.HTTP_201_CREATED)
                response["Idempotent-Replayed"] = "true"
                return response
        raw = request.data
        if isinstance(raw, dict) and not isinstance(raw, QueryDict):
            raw = {key: value for key, value in raw.items() if key != "fields"}
        data = form_data(raw)
        code = data.get("request_type", "")
        request_type = selectors.filing_type(code) if SLUG.fullmatch(code) else None
        if request_type is None:
            raise ValidationError({"request_type": [_("No request type with this code is open for filing.")]})
        post = QueryDict(mutable=True)
        for name in ("title", "description", "wanted_by", "confidential"):
            if name in data:
                post.setlist(name, data.getlist(name))
        for name in ("co_departments", "watchers"):
            post.setlist(name, data.getlist(name))
        # Ids the database can hold (a larger one would fail the `IN` query, not the form).
        if any(not (i.isdecimal() and len(i) <= 18) for i in data.getlist("co_departments")):
            raise ValidationError({"co_departments": [_("Give the departments' ids.")]})
        post["priority"] = data.get("priority") or str(request_type.default_priority)
        fields = request.data.get("fields", {}) if isinstance(request.data, dict) else {}
        if not isinstance(fields, dict):
            raise ValidationError({"fields": [_("Give the fields as an object of key and value.")]})
        for key_, values in form_data(fields).lists():
            post.setlist(f"f_{key_}", values)
        if isinstance(request.data, QueryDict):  # multipart: the form's own names
            for name, values in request.data.lists():
                if name.startswith("f_"):
                    post.setlist(name, values)
        form = forms.TaskForm(post, request.FILES, request_type=request_type, user=user)
        rename = lambda name: f"fields.{name[2:]}" if name.startswith("f_") else name  # noqa: E731
        if not form.is_valid():
            raise ValidationError(form_errors(form, rename))
        task = services.task_create(
            by=user, request_type=request_type, token=token, submit=data.get("submit") == "true", **form.filing()
        )
        return Response(detail_data(task_or_404(user, task.number), user), status=status.HTTP_201_CREATED)


class RequestDetail(APIView):
    @extend_schema(
        operation_id="requests_retrieve",
        summary="A request",
        description="The request with its fields, this round's approvals, its timeline (the action log, "
        "comments and files) and the steps the caller may take now.",
        responses={200: s.RequestDetail, 401: ERRORS[401], 404: ERRORS[404]},
    )
    def get(self, request, number: str):
        return Response(detail_data(task_or_404(request.user, number), request.user))


class RequestStep(APIView):
    """POST /api/v1/requests/<number>/<step>/: one step, as the request page's button takes it."""

    step = ""

    def post(self, request, number: str):
        user = request.user
        task = task_or_404(user, number)
        page_action, rule, _body = STEPS[self.step]
        post = form_data(request.data)
        seen = post.get("seen_state")
        if seen and seen != task.state and page_action != "comment":
            raise Conflict(str(services.conflict(task)))
        if self.step == "attach" and not request.FILES.getlist("files"):
            raise ValidationError({"files": [_("Attach at least one file.")]})
        try:
            done, form = run_action(page_action, task, user, post, request.FILES)
        except StepConflict:
            raise
        except StepError as exc:
            # The service said no: a 403 when the rule does not let this person take the step,
            # a 400 (the message says why) when it does but the input or the moment is wrong.
            allowed = can(user, rule, task)
            raise StepRefused(str(exc), status.HTTP_400_BAD_REQUEST if allowed else status.HTTP_403_FORBIDDEN) from None
        if form is not None:
            raise ValidationError(form_errors(form))
        # A step can take the request out of the caller's sight (a return makes it the requester's
        # draft, a transfer sends it to another department): then the answer has no request.
        try:
            task = selectors.task_for_page(user, number)
        except Task.DoesNotExist:
            return Response({"message": str(done), "request": None})
        return Response({"message": str(done), "request": detail_data(task, user)})


def step_view(step: str):
    """A view class for one step, with its own operation in the schema."""
    moved_on = OpenApiResponse(s.ErrorBody, description="The request moved on: already handled.")
    responses = {200: s.StepResult, **{code: ERRORS[code] for code in (400, 401, 403, 404)}, 409: moved_on}
    return step_view_class(RequestStep, "request", step, STEPS[step][2], responses, multipart=True)
