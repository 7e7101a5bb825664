"""Documents through the API: the register's lists, a document with its opinions, drafting, every
button of the document page, and the .docx."""

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from api import serializers as s
from api.errors import Conflict as MovedOn
from api.pagination import NewestFirst
from api.views.common import paginated, small_int, step_view_class
from core import rendering
from documents import rules as document_rules
from documents import selectors as document_selectors
from documents import services as document_services
from documents.forms import DocumentForm
from documents.models import Document, DocumentOpening
from documents.views import ACTIONS as DOCUMENT_ACTIONS
from documents.views import run_action as run_document_action


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
    secrecy_label = serializers.CharField(source="get_secrecy_display")
    secrecy_years = serializers.IntegerField(allow_null=True)
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
    legal_hold = serializers.BooleanField(read_only=True, help_text="Kept from retention (set on the portal's page).")
    legal_hold_reason = serializers.CharField(read_only=True, help_text="Why it is under legal hold; empty when not.")


def _document_or_404(user, pk) -> Document:
    try:
        return document_selectors.visible_documents(user).get(pk=small_int(pk))
    except Document.DoesNotExist:
        raise Http404 from None


class DraftBody(serializers.Serializer):
    kind = serializers.CharField()
    title = serializers.CharField(max_length=200)
    recipients = serializers.CharField(max_length=300, help_text="Main recipients (主送).")
    body = serializers.CharField()
    cc = serializers.CharField(required=False, max_length=300)
    urgency = serializers.CharField(required=False)
    secrecy = serializers.ChoiceField(choices=Document.Secrecy.values, required=False)
    secrecy_years = serializers.IntegerField(
        required=False, allow_null=True, help_text="保密期限 in years; empty: the longest the law allows."
    )
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
    ready = rendering.latest_ready(document, "document") if document_rules.may_take_files(user, document) else None
    document.api_docx = request.build_absolute_uri(f"/api/v1/documents/{document.pk}/docx/") if ready else None
    return DocumentDetailOut(document).data


class DocumentDetail(APIView):
    @extend_schema(operation_id="documents_retrieve", summary="A document", responses=DocumentDetailOut)
    def get(self, request, pk):
        document = _document_or_404(request.user, pk)
        document_services.document_opened(document=document, by=request.user, what=DocumentOpening.What.API)
        return Response(document_data(request, document))


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
            raise PermissionDenied(document_rules.refusal(user, self.step, document) or None)
        done, note = run_document_action(self.step, document, user, form_data(request.data))
        try:
            document = _document_or_404(user, document.pk)
        except Http404:
            return Response({"message": str(done), "note": str(note), "document": None})
        return Response({"message": str(done), "note": str(note), "document": document_data(request, document)})


def document_step_view(step: str):
    errors = {code: s.ErrorBody for code in (400, 403, 404, 409)}
    return step_view_class(DocumentStep, "document", step, DocumentStepBody, {200: DocumentStepResult, **errors})


class DocumentDocx(APIView):
    @extend_schema(
        operation_id="documents_docx",
        summary="The document's latest .docx",
        responses={(200, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"): bytes},
    )
    def get(self, request, pk):
        document = _document_or_404(request.user, pk)
        if not document_rules.may_take_files(request.user, document):
            raise PermissionDenied(_("A top-secret (绝密) document passed to you is read on its page only."))
        job = rendering.latest_ready(document, "document")
        if job is None or not job.file or not rendering.builder_for("document").can_view(request.user, document):
            raise Http404
        document_services.document_opened(
            document=document, by=request.user, what=DocumentOpening.What.DOWNLOAD, detail=f"API .docx v{job.version}"
        )
        return FileResponse(
            job.file.open("rb"),
            as_attachment=True,
            filename=job.file.name.rsplit("/", 1)[-1],
            content_type=rendering.DOCX,
        )
