"""Everything but requests, read through the selectors the pages use: request types (with their
fields as a JSON schema), documents (and their .docx), departments, people, teams with their
meetings and action items, conflicts, and the caller's notifications."""

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as s
from api.errors import Conflict as MovedOn
from api.pagination import NewestFirst
from conflicts import selectors as conflict_selectors
from conflicts.models import Conflict
from conflicts.rules import can as conflict_can
from conflicts.rules import can_raise_on_task, can_raise_on_team
from conflicts.services import ConflictError
from conflicts.services import conflict_raise as raise_conflict
from conflicts.views import ACTIONS as CONFLICT_ACTIONS
from conflicts.views import InvalidInput, raise_form
from conflicts.views import run_action as run_conflict_action
from core import rendering
from departments import selectors as department_selectors
from departments.models import Department, User
from documents import rules as document_rules
from documents import selectors as document_selectors
from documents import services as document_services
from documents.forms import DocumentForm
from documents.models import Document
from documents.views import ACTIONS as DOCUMENT_ACTIONS
from documents.views import run_action as run_document_action
from notifications import selectors as notification_selectors
from notifications import services as notification_services
from tasks import selectors as task_selectors
from tasks.models import RequestField, RequestType
from teams import selectors as team_selectors
from teams.models import Team


def _small_int(raw) -> int:
    """An id from the address: a whole number the database can hold, else 404."""
    text = str(raw)
    if not (text.isdecimal() and len(text) <= 18):
        raise Http404
    return int(text)


class ByPk(CursorPagination):
    ordering = ("-pk",)
    page_size = 50
    page_size_query_param = "limit"
    max_page_size = 200


class ByCode(ByPk):
    ordering = ("code",)


class ByUsername(ByPk):
    ordering = ("username",)


def paginated(view, queryset, serializer, paginator_class):
    paginator = paginator_class()
    page = paginator.paginate_queryset(queryset, view.request, view=view)
    return paginator.get_paginated_response(serializer(page, many=True).data)


# Request types


def fields_schema(fields: list[RequestField]) -> dict:
    """The type's own fields as a JSON schema, checked again by the filing form when a request is filed."""
    kinds = {
        RequestField.Kind.NUMBER: {"type": "number"},
        RequestField.Kind.DATE: {"type": "string", "format": "date"},
        RequestField.Kind.FILE: {"type": "string", "format": "binary"},
    }
    properties = {}
    for spec in fields:
        prop = dict(kinds.get(spec.kind, {"type": "string", "maxLength": 500}))
        if spec.kind == RequestField.Kind.NUMBER and not spec.allow_negative:
            prop["minimum"] = 0
        if spec.kind == RequestField.Kind.CHOICE:
            prop = {"type": "string", "enum": spec.choice_list}
        prop["title"] = spec.display_label
        if spec.help_text:
            prop["description"] = spec.help_text
        properties[spec.key] = prop
    return {
        "type": "object",
        "properties": properties,
        "required": [spec.key for spec in fields if spec.required],
        "additionalProperties": False,
    }


class RequestTypeOut(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    code = serializers.CharField()
    name = serializers.CharField(source="display_name")
    purpose = serializers.CharField(source="display_purpose")
    department = s.DepartmentRef()
    default_priority = serializers.IntegerField()
    fields_schema = s.JSONSchemaField(source="api_schema")


def _types(query: str = "") -> list[RequestType]:
    groups = task_selectors.request_types_by_department(query)
    types = [t for _department, types in groups for t in types]
    fields: dict[int, list] = {}
    for spec in RequestField.objects.filter(request_type__in=[t.pk for t in types]):
        fields.setdefault(spec.request_type_id, []).append(spec)
    for request_type in types:
        request_type.api_schema = fields_schema(fields.get(request_type.pk, []))
    return types


class RequestTypeList(APIView):
    @extend_schema(
        operation_id="request_types_list",
        summary="Request types open for filing",
        parameters=[OpenApiParameter("q", str)],
        responses=RequestTypeOut(many=True),
    )
    def get(self, request):
        query = request.query_params.get("q", "").strip()[:100].replace("\x00", "")
        return Response(RequestTypeOut(_types(query), many=True).data)


class RequestTypeDetail(APIView):
    @extend_schema(operation_id="request_types_retrieve", summary="A request type", responses=RequestTypeOut)
    def get(self, request, code: str):
        found = [t for t in _types() if t.code == code]
        if not found:
            raise Http404
        return Response(RequestTypeOut(found[0]).data)


# Departments and people


class DepartmentOut(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    code = serializers.CharField()
    name = serializers.CharField(source="display_name")
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    head = s.PersonRef(allow_null=True)
    accepts_requests = serializers.BooleanField()


class MemberOut(serializers.Serializer):
    person = s.PersonRef(source="user")
    role = serializers.CharField()
    title = serializers.CharField()


class DepartmentDetailOut(DepartmentOut):
    members = MemberOut(many=True, source="memberships.all")


class DepartmentList(APIView):
    @extend_schema(operation_id="departments_list", summary="Departments", responses=DepartmentOut(many=True))
    def get(self, request):
        departments = Department.objects.filter(is_active=True).select_related("head")
        return paginated(self, departments, DepartmentOut, ByCode)


class DepartmentDetail(APIView):
    @extend_schema(
        operation_id="departments_retrieve", summary="A department and its people", responses=DepartmentDetailOut
    )
    def get(self, request, code: str):
        try:
            department = department_selectors.department_for_page(code)
        except Department.DoesNotExist:
            raise Http404 from None
        return Response(DepartmentDetailOut(department).data)


class PersonOut(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField()
    job_title = serializers.CharField()
    email = serializers.EmailField()


class MembershipOut(serializers.Serializer):
    department = s.DepartmentRef()
    role = serializers.CharField()
    is_primary = serializers.BooleanField()


class PersonDetailOut(PersonOut):
    phone = serializers.CharField()
    memberships = MembershipOut(many=True, source="memberships.all")


class PersonList(APIView):
    @extend_schema(
        operation_id="people_list",
        summary="People",
        parameters=[OpenApiParameter("q", str, description="Login or name starts with.")],
        responses=PersonOut(many=True),
    )
    def get(self, request):
        query = request.query_params.get("q", "").strip()[:30].replace("\x00", "")
        people = department_selectors.people_matching(query) if query else User.objects.filter(is_active=True)
        return paginated(self, people.order_by(), PersonOut, ByUsername)


class PersonDetail(APIView):
    @extend_schema(operation_id="people_retrieve", summary="A person", responses=PersonDetailOut)
    def get(self, request, username: str):
        try:
            person = department_selectors.person_for_page(username[:150])
        except User.DoesNotExist:
            raise Http404 from None
        return Response(PersonDetailOut(person).data)


# Documents


class DocumentOut(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    kind = serializers.CharField()
    title = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField(source="get_state_display")
    number = serializers.CharField(source="number.text", allow_null=True, default=None)
    department = s.DepartmentRef()
    drafter = s.PersonRef()
    urgency = serializers.CharField()
    secrecy = serializers.CharField()
    created_at = serializers.DateTimeField()


class OpinionOut(serializers.Serializer):
    stage = serializers.CharField()
    author = s.PersonRef()
    department = s.DepartmentRef()
    decision = serializers.CharField()
    text = serializers.CharField()
    created_at = serializers.DateTimeField()


class DocumentDetailOut(DocumentOut):
    recipients = serializers.CharField()
    cc = serializers.CharField()
    body = serializers.CharField()
    version = serializers.IntegerField()
    opinions = OpinionOut(many=True, source="api_opinions")
    allowed_steps = serializers.ListField(child=serializers.CharField(), source="api_allowed")
    docx = serializers.CharField(allow_null=True, source="api_docx")


def _document_or_404(user, pk) -> Document:
    try:
        return document_selectors.visible_documents(user).get(pk=_small_int(pk))
    except Document.DoesNotExist:
        raise Http404 from None


class DraftBody(serializers.Serializer):
    kind = serializers.CharField()
    title = serializers.CharField(max_length=200)
    recipients = serializers.CharField(max_length=300, help_text="Main recipients (主送).")
    body = serializers.CharField()
    cc = serializers.CharField(required=False, max_length=300)
    urgency = serializers.CharField(required=False)
    secrecy = serializers.CharField(required=False)
    countersign_departments = serializers.ListField(child=serializers.IntegerField(), required=False)
    recipient_departments = serializers.ListField(child=serializers.IntegerField(), required=False)
    template = serializers.IntegerField(required=False)


DOCUMENT_SCOPES = ("waiting", "mine", "all")
# Every button of the document page (documents.views.ACTIONS), under the same names.
DOCUMENT_STEPS = DOCUMENT_ACTIONS


class DocumentList(APIView):
    @extend_schema(
        operation_id="documents_list",
        summary="Documents",
        parameters=[OpenApiParameter("scope", enum=list(DOCUMENT_SCOPES), description="Default all.")],
        responses=DocumentOut(many=True),
    )
    def get(self, request):
        scope = request.query_params.get("scope", "all")
        if scope not in DOCUMENT_SCOPES:
            raise ValidationError({"scope": [_("Choose one of: %(scopes)s.") % {"scopes": ", ".join(DOCUMENT_SCOPES)}]})
        user = request.user
        if scope == "waiting":
            documents = document_selectors.waiting_on(user)
        else:
            documents = document_selectors.visible_documents(user)
            if scope == "mine":
                documents = documents.filter(drafter=user)
        return paginated(self, documents, DocumentOut, NewestFirst)

    @extend_schema(
        operation_id="documents_draft",
        summary="Draft a document",
        description="A new draft, as the drafting form makes it (department ids for countersigning and "
        "recipients; files as multipart `attachments`).",
        request={"application/json": DraftBody, "multipart/form-data": DraftBody},
        responses={201: DocumentDetailOut, 400: s.ErrorBody},
    )
    def post(self, request):
        from api.views.requests import form_data, form_errors

        data = form_data(request.data).copy()
        # What the drafting form starts with, for a caller who leaves them out.
        data.setdefault("urgency", Document.Urgency.NORMAL)
        data.setdefault("secrecy", Document.Secrecy.INTERNAL)
        for name in ("countersign_departments", "recipient_departments", "template"):
            if any(not (i.isdecimal() and len(i) <= 18) for i in data.getlist(name) if i):
                raise ValidationError({name: [_("Give the departments' ids.")]})
        form = DocumentForm(data, request.FILES)
        if not form.is_valid():
            raise ValidationError(form_errors(form))
        document = document_services.document_create(by=request.user, **form.cleaned_data)
        return Response(document_data(request, _document_or_404(request.user, document.pk)), status=201)


def document_data(request, document: Document) -> dict:
    """The document page's content (documents.views.document_detail) as DocumentDetailOut data."""
    user = request.user
    document.api_opinions = list(document.opinions.select_related("author", "department"))
    document.api_allowed = [a for a in DOCUMENT_ACTIONS if document_rules.can(user, a, document)]
    ready = rendering.latest_ready(document, "document")
    document.api_docx = request.build_absolute_uri(f"/api/v1/documents/{document.pk}/docx/") if ready else None
    return DocumentDetailOut(document).data


class DocumentDetail(APIView):
    @extend_schema(operation_id="documents_retrieve", summary="A document", responses=DocumentDetailOut)
    def get(self, request, pk):
        return Response(document_data(request, _document_or_404(request.user, pk)))


class DocumentStepBody(serializers.Serializer):
    agree = serializers.ChoiceField(choices=["yes", "no"], required=False, help_text="Review, countersign, sign off.")
    text = serializers.CharField(required=False, max_length=2000, help_text="The opinion.")
    department = serializers.IntegerField(required=False, help_text="Countersign: for which department (id).")
    reserved = serializers.IntegerField(required=False, help_text="Sign off: a reserved number (id).")


class DocumentStepResult(serializers.Serializer):
    message = serializers.CharField()
    note = serializers.CharField()
    document = DocumentDetailOut(allow_null=True)


class DocumentStep(APIView):
    """POST /api/v1/documents/<id>/<step>/: one step, as the document page's button takes it."""

    step = ""

    def post(self, request, pk):
        from api.views.requests import form_data

        user = request.user
        document = _document_or_404(user, pk)
        if not document_rules.can(user, self.step, document):
            if document_rules.moved_on(user, self.step, document):
                raise MovedOn(str(document_services.conflict(document)))
            raise PermissionDenied()
        done, note = run_document_action(self.step, document, user, form_data(request.data))
        try:
            document = _document_or_404(user, document.pk)
        except Http404:
            return Response({"message": str(done), "note": str(note), "document": None})
        return Response({"message": str(done), "note": str(note), "document": document_data(request, document)})


def document_step_view(step: str):
    def post(self, request, pk):
        return DocumentStep.post(self, request, pk)

    view = type(f"Document{step.title().replace('_', '')}", (DocumentStep,), {"step": step, "post": post})
    view.post = extend_schema(
        operation_id=f"documents_{step}",
        summary=f"Document step: {step}",
        request={"application/json": DocumentStepBody},
        responses={200: DocumentStepResult, 400: s.ErrorBody, 403: s.ErrorBody, 404: s.ErrorBody, 409: s.ErrorBody},
    )(post)
    return view


class DocumentDocx(APIView):
    @extend_schema(
        operation_id="documents_docx",
        summary="The document's latest .docx",
        responses={(200, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"): bytes},
    )
    def get(self, request, pk):
        document = _document_or_404(request.user, pk)
        job = rendering.latest_ready(document, "document")
        if job is None or not job.file or not rendering.builder_for("document").can_view(request.user, document):
            raise Http404
        return FileResponse(
            job.file.open("rb"),
            as_attachment=True,
            filename=job.file.name.rsplit("/", 1)[-1],
            content_type=rendering.DOCX,
        )


# Teams, meetings, action items


class TeamOut(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField(source="get_state_display")
    lead = s.PersonRef()
    metric = serializers.CharField()
    unit = serializers.CharField()
    baseline = serializers.DecimalField(max_digits=14, decimal_places=2)
    target_value = serializers.DecimalField(max_digits=14, decimal_places=2)
    current_value = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    starts_on = serializers.DateField()
    deadline = serializers.DateField()


class TeamMemberOut(serializers.Serializer):
    person = s.PersonRef(source="user")
    department = s.DepartmentRef()
    role = serializers.CharField()


class TeamDetailOut(TeamOut):
    goal = serializers.CharField()
    members = TeamMemberOut(many=True, source="api_members")


class MeetingOut(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    location = serializers.CharField()
    status = serializers.CharField()
    agenda = serializers.CharField()
    minutes = serializers.CharField()
    decisions = serializers.CharField()


class ActionItemOut(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    owner = s.PersonRef()
    department = s.DepartmentRef()
    due_on = serializers.DateField()
    done_at = serializers.DateTimeField(allow_null=True)
    meeting = serializers.IntegerField(source="meeting_id")
    request = serializers.CharField(source="task.number", allow_null=True, default=None)


def _team_or_404(user, pk) -> Team:
    try:
        return team_selectors.team_for_page(user, _small_int(pk))
    except Team.DoesNotExist:
        raise Http404 from None


class TeamList(APIView):
    @extend_schema(
        operation_id="teams_list",
        summary="Teams",
        parameters=[OpenApiParameter("mine", bool), OpenApiParameter("state", enum=Team.State.values)],
        responses=TeamOut(many=True),
    )
    def get(self, request):
        state = request.query_params.get("state", "")
        if state and state not in Team.State.values:
            raise ValidationError({"state": [_("Choose a team state.")]})
        mine = request.query_params.get("mine") in ("1", "true")
        teams = team_selectors.teams_for_list(request.user, state=state, mine=mine)
        return paginated(self, teams, TeamOut, ByPk)


class TeamDetail(APIView):
    @extend_schema(operation_id="teams_retrieve", summary="A team and its members", responses=TeamDetailOut)
    def get(self, request, pk):
        team = _team_or_404(request.user, pk)
        team.api_members = list(team.members.select_related("user", "department"))
        return Response(TeamDetailOut(team).data)


class MeetingList(APIView):
    @extend_schema(operation_id="teams_meetings_list", summary="A team's meetings", responses=MeetingOut(many=True))
    def get(self, request, pk):
        team = _team_or_404(request.user, pk)
        return Response(MeetingOut(team.meetings.order_by("starts_at", "pk"), many=True).data)


class ActionItemList(APIView):
    @extend_schema(
        operation_id="teams_action_items_list", summary="A team's action items", responses=ActionItemOut(many=True)
    )
    def get(self, request, pk):
        team = _team_or_404(request.user, pk)
        items = team.action_items.select_related("owner", "department", "task").order_by("due_on", "pk")
        return Response(ActionItemOut(items, many=True).data)


# Conflicts


class PartyOut(serializers.Serializer):
    department = s.DepartmentRef()
    agreed_at = serializers.DateTimeField(allow_null=True)


class ConflictOut(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    subject = serializers.CharField()
    state = serializers.CharField()
    state_label = serializers.CharField(source="get_state_display")
    raised_by = s.PersonRef()
    raised_at = serializers.DateTimeField()
    deadline_at = serializers.DateTimeField(allow_null=True)
    mediator = s.PersonRef(allow_null=True)
    arbiter = s.PersonRef(allow_null=True)
    request = serializers.CharField(source="task.number", allow_null=True, default=None)
    team = serializers.IntegerField(source="team_id", allow_null=True)
    parties = PartyOut(many=True, source="parties.all")


class PositionOut(serializers.Serializer):
    department = s.DepartmentRef()
    author = s.PersonRef()
    text = serializers.CharField()
    created_at = serializers.DateTimeField()


class ConflictDetailOut(ConflictOut):
    proposal = serializers.CharField()
    resolution = serializers.CharField()
    decision = serializers.CharField()
    positions = PositionOut(many=True, source="positions.all")
    allowed_steps = serializers.ListField(child=serializers.CharField(), source="api_allowed")


# Every button of the conflict page (conflicts.views.ACTIONS), under the same names.
CONFLICT_STEPS = CONFLICT_ACTIONS


def _conflict_or_404(user, pk) -> Conflict:
    try:
        return conflict_selectors.conflict_for_page(user, _small_int(pk))
    except Conflict.DoesNotExist:
        raise Http404 from None


def conflict_data(user, conflict: Conflict) -> dict:
    """The conflict page's content (conflicts.views.detail) as ConflictDetailOut data."""
    conflict.api_allowed = [action for action in CONFLICT_ACTIONS if conflict_can(user, action, conflict)]
    return ConflictDetailOut(conflict).data


class RaiseBody(serializers.Serializer):
    request = serializers.CharField(required=False, help_text="The request it is about (its number)…")
    team = serializers.IntegerField(required=False, help_text="…or the team (its id).")
    subject = serializers.CharField(max_length=200)
    departments = serializers.ListField(
        child=serializers.IntegerField(), help_text="The departments in disagreement (ids), yours among them."
    )
    position = serializers.CharField(help_text="Your department's position.")


class ConflictStepBody(serializers.Serializer):
    text = serializers.CharField(
        required=False, help_text="Position, proposal, reason to escalate or withdraw, decision."
    )
    department = serializers.IntegerField(
        required=False, help_text="The party you speak for (id), when you speak for more than one."
    )
    seen_state = serializers.CharField(required=False, help_text="The state you saw: 409 if it moved on since.")
    seen_proposal_at = serializers.CharField(required=False, help_text="Agree: the proposal you saw (its time).")


class ConflictStepResult(serializers.Serializer):
    message = serializers.CharField()
    conflict = ConflictDetailOut(allow_null=True)


class ConflictList(APIView):
    @extend_schema(
        operation_id="conflicts_list",
        summary="Conflicts",
        parameters=[OpenApiParameter("scope", enum=["mine", "all"], description="Default mine.")],
        responses=ConflictOut(many=True),
    )
    def get(self, request):
        scope = request.query_params.get("scope", "mine")
        if scope not in ("mine", "all"):
            raise ValidationError({"scope": [_("Choose one of: %(scopes)s.") % {"scopes": "mine, all"}]})
        conflicts = conflict_selectors.conflict_list(request.user, scope)
        return paginated(self, conflicts, ConflictOut, ByPk)

    @extend_schema(
        operation_id="conflicts_raise",
        summary="Raise a conflict",
        description="About a request (`request`, its number) or a team (`team`, its id), as the raising "
        "page does it: who may raise it and the departments named are checked the same way.",
        request={"application/json": RaiseBody},
        responses={201: ConflictDetailOut, 400: s.ErrorBody, 403: s.ErrorBody, 404: s.ErrorBody},
    )
    def post(self, request):
        from api.views.requests import form_data, form_errors, task_or_404

        user = request.user
        data = form_data(request.data)
        number, team_id = data.get("request", ""), data.get("team", "")
        if bool(number) == bool(team_id):
            raise ValidationError({"request": [_("Give either the request's number or the team's id.")]})
        if any(not (i.isdecimal() and len(i) <= 18) for i in data.getlist("departments") if i):
            raise ValidationError({"departments": [_("Give the departments' ids.")]})
        task = team = None
        if number:
            task = task_or_404(user, number)
            if not can_raise_on_task(user, task):
                raise PermissionDenied()
        else:
            team = Team.objects.visible_to(user).filter(pk=_small_int(team_id)).first()
            if team is None:
                raise Http404
            if not can_raise_on_team(user, team):
                raise PermissionDenied()
        form = raise_form(user, data, task=task, team=team)
        if not form.is_valid():
            raise ValidationError(form_errors(form))
        try:
            conflict = raise_conflict(by=user, task=task, team=team, **form.cleaned_data)
        except ConflictError as exc:
            raise ValidationError({"non_field_errors": [str(exc)]}) from None
        return Response(conflict_data(user, _conflict_or_404(user, conflict.pk)), status=201)


class ConflictDetail(APIView):
    @extend_schema(operation_id="conflicts_retrieve", summary="A conflict", responses=ConflictDetailOut)
    def get(self, request, pk):
        return Response(conflict_data(request.user, _conflict_or_404(request.user, pk)))


class ConflictStep(APIView):
    """POST /api/v1/conflicts/<id>/<step>/: one step, as the conflict page's button takes it."""

    step = ""

    def post(self, request, pk):
        from api.views.requests import form_data, form_errors

        user = request.user
        conflict = _conflict_or_404(user, pk)
        data = form_data(request.data)
        try:
            done = run_conflict_action(self.step, conflict, user, data, data.get("seen_state") or None)
        except InvalidInput as exc:
            raise ValidationError(form_errors(exc.form)) from None
        try:
            conflict = _conflict_or_404(user, conflict.pk)
        except Http404:
            return Response({"message": done, "conflict": None})
        return Response({"message": done, "conflict": conflict_data(user, conflict)})


def conflict_step_view(step: str):
    def post(self, request, pk):
        return ConflictStep.post(self, request, pk)

    view = type(f"Conflict{step.title()}", (ConflictStep,), {"step": step, "post": post})
    view.post = extend_schema(
        operation_id=f"conflicts_{step}",
        summary=f"Conflict step: {step}",
        request={"application/json": ConflictStepBody},
        responses={200: ConflictStepResult, 400: s.ErrorBody, 403: s.ErrorBody, 404: s.ErrorBody, 409: s.ErrorBody},
    )(post)
    return view


# Notifications


class NotificationOut(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    kind = serializers.CharField()
    message = serializers.CharField()
    link = serializers.CharField()
    actor = s.PersonRef(allow_null=True)
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)


class NotificationList(APIView):
    @extend_schema(
        operation_id="notifications_list",
        summary="My notifications",
        parameters=[OpenApiParameter("unread", bool)],
        responses=NotificationOut(many=True),
    )
    def get(self, request):
        notices = notification_selectors.notifications_of(request.user).select_related("actor")
        if request.query_params.get("unread") in ("1", "true"):
            notices = notices.filter(read_at__isnull=True)
        return paginated(self, notices, NotificationOut, NewestFirst)


class NotificationsRead(APIView):
    @extend_schema(
        operation_id="notifications_mark_read",
        summary="Mark my notifications read",
        description="The notices whose ids are given, or all of them when `ids` is left out.",
        request=inline_serializer("MarkRead", {"ids": serializers.ListField(child=serializers.IntegerField())}),
        responses=inline_serializer("MarkedRead", {"marked": serializers.IntegerField()}),
    )
    def post(self, request):
        data = request.data if isinstance(request.data, dict) else None
        if data is None:
            raise ValidationError({"non_field_errors": [_("Send a JSON object.")]})
        ids = data.get("ids")
        if ids is not None and not (
            isinstance(ids, list)
            and len(ids) <= 1000
            and all(isinstance(i, int) and not isinstance(i, bool) and 0 < i < 2**63 for i in ids)
        ):
            raise ValidationError({"ids": [_("Give a list of notification ids.")]})
        marked = notification_services.mark_read(user=request.user, ids=ids)
        return Response({"marked": marked})
