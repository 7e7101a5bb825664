from django.contrib import admin
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.admin import ActionLogInline, LegalHoldAdminMixin, ReadOnlyAdmin, ReadOnlyInline
from documents.forms import SealUploadForm, TemplateUploadForm
from documents.models import (
    DepartmentSeal,
    Document,
    DocumentNumber,
    DocumentOpening,
    DocumentReader,
    DocumentTemplate,
    IncomingDocument,
    IncomingRoute,
    NumberSequence,
    Opinion,
)
from documents.services import gap_audit


class DocumentNumberInline(ReadOnlyInline):
    model = DocumentNumber
    fields = ["text", "status", "subject", "reason", "taken_by", "taken_at", "voided_by", "voided_at"]


@admin.register(NumberSequence)
class NumberSequenceAdmin(ReadOnlyAdmin):
    """The registers are read-only here: numbers are taken at sign-off, reserved or voided through
    the register's services, never typed in."""

    list_display = ["year", "kind", "prefix", "last"]
    list_filter = ["year", "kind"]
    search_fields = ["prefix"]
    readonly_fields = ["kind", "prefix", "year", "last", "gaps"]
    inlines = [DocumentNumberInline]

    @admin.display(description=_("Gap audit"))
    def gaps(self, obj):
        found = gap_audit(obj)
        if not found:
            return _("No gaps: every number up to the last is an issued document.")
        return render_to_string("documents/admin/_gaps.html", {"gaps": found})


class OpinionInline(ReadOnlyInline):
    model = Opinion
    fields = ["created_at", "stage", "department", "author", "acting_for", "decision", "text", "version"]


class DocumentReaderInline(ReadOnlyInline):
    model = DocumentReader
    fk_name = "document"
    fields = ["user", "passed_by", "passed_at"]


class DocumentOpeningInline(ReadOnlyInline):
    model = DocumentOpening
    fields = ["at", "user", "what", "detail"]


@admin.register(Document)
class DocumentAdmin(LegalHoldAdminMixin, ReadOnlyAdmin):
    """Read-only: documents move through the workflow's services, which keep the opinions; an admin
    places or lifts a legal hold here."""

    list_display = ["title", "kind", "secrecy", "department", "state", "number", "created_at"]
    list_filter = ["state", "kind", "secrecy", "department", "legal_hold"]
    search_fields = ["title", "number__text"]
    inlines = [OpinionInline, DocumentReaderInline, DocumentOpeningInline, ActionLogInline]

    def get_queryset(self, request):
        # An admin is not named for a classified document by being an admin: the admin site lists
        # what the portal would show them (documents.selectors.visible_documents).
        from documents.selectors import visible_documents

        return visible_documents(request.user)


@admin.register(DocumentTemplate)
class DocumentTemplateAdmin(admin.ModelAdmin):
    """Upload an organisation's own .docx layout; it is checked before it is kept."""

    form = TemplateUploadForm
    list_display = ["name", "kind", "is_active", "uploaded_at"]
    list_filter = ["is_active", "kind"]
    readonly_fields = ["placeholders", "uploaded_by", "uploaded_at"]

    def save_model(self, request, obj, form, change):
        if hasattr(form, "placeholders"):
            obj.placeholders = form.placeholders
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(DepartmentSeal)
class DepartmentSealAdmin(admin.ModelAdmin):
    """电子印章: each department's seal image, printed over the date of the documents it issues
    from the next one rendered on; documents already issued keep the seal they were made with."""

    form = SealUploadForm
    list_display = ["department", "uploaded_by", "uploaded_at"]
    search_fields = ["department__name"]
    readonly_fields = ["uploaded_by", "uploaded_at"]
    autocomplete_fields = ["department"]

    def save_model(self, request, obj, form, change):
        obj.uploaded_by = request.user
        obj.uploaded_at = timezone.now()
        super().save_model(request, obj, form, change)


class IncomingRouteInline(ReadOnlyInline):
    model = IncomingRoute
    fields = ["department", "task"]


@admin.register(IncomingDocument)
class IncomingDocumentAdmin(ReadOnlyAdmin):
    """Read-only here: received documents are registered and routed from the 收文 page."""

    list_display = ["title", "source", "their_number", "secrecy", "received_on", "registered_by"]
    search_fields = ["title", "source", "their_number"]
    inlines = [IncomingRouteInline]
