from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import exports, rendering
from core.previews import upload_preview
from core.uploads import serve_upload
from documents import rules, selectors, services
from documents.body import to_html
from documents.compare import compare_versions
from documents.docx import file_version, sheet_version
from documents.forms import (
    DocumentForm,
    IncomingForm,
    OpinionForm,
    PassToForm,
    RegisterFilterForm,
    ReserveNumberForm,
    VoidNumberForm,
)
from documents.integrity import signed_check
from documents.models import (
    Document,
    DocumentAttachment,
    DocumentNumber,
    DocumentOpening,
    IncomingDocument,
    NumberSequence,
)
from tasks.selectors import department_ids

ACTIONS = (
    "submit",
    "withdraw",
    "review",
    "countersign",
    "sign_off",
    "distribute",
    "acknowledge",
    "remind",
    "archive",
    "render",
    "processing_sheet",
)


def _document_or_404(request, pk: int) -> Document:
    return get_object_or_404(selectors.visible_documents(request.user), pk=pk)


def _files_or_403(user, document: Document) -> None:
    """A reader a 绝密 document was passed to reads it on its page: no file leaves with them."""
    if not rules.may_take_files(user, document):
        raise PermissionDenied


def _export(documents, fmt: str, scope: str):
    """The list as CSV or XLSX, with the same filters (read in one query)."""
    rows = [
        [
            d.number.text if d.number_id else "",
            d.title,
            d.get_kind_display(),
            d.get_state_display(),
            d.secrecy_mark or d.get_secrecy_display(),
            d.department.display_name,
            d.drafter.name,
            d.created_at,
            d.issued_at,
        ]
        for d in documents[:50_000]
    ]
    headers = [
        _("Document number"),
        _("Title"),
        _("Kind"),
        _("State"),
        _("Confidentiality"),
        _("Department"),
        _("Drafter"),
        _("Created"),
        _("Issued"),
    ]
    return exports.response(exports.Table(key=scope, title=scope, headers=headers, rows=rows), fmt, "documents")


@login_required
@require_GET
def document_list(request):
    scope = request.GET.get("scope", "waiting")
    filters = RegisterFilterForm(request.GET or None)
    if scope == "register":
        documents = selectors.visible_documents(request.user).order_by("-created_at")
        if filters.is_valid():
            documents = selectors.register(request.user, **filters.cleaned_data)
    elif scope == "all":
        documents = selectors.visible_documents(request.user)
    elif scope == "mine":
        documents = selectors.visible_documents(request.user).filter(drafter=request.user)
    else:
        scope, documents = "waiting", selectors.waiting_on(request.user)
    if scope != "register":
        documents = documents.order_by("-created_at")
    if request.GET.get("export") in ("csv", "xlsx"):
        return _export(documents, request.GET["export"], scope)
    shown = list(documents[: selectors.LIST_LIMIT])
    return render(request, "documents/list.html", {"documents": shown, "scope": scope, "filters": filters})


@login_required
@require_http_methods(["GET", "POST"])
def document_new(request):
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            document = services.document_create(by=request.user, **form.cleaned_data)
        except services.DocumentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Draft saved."))
            return redirect("documents:detail", pk=document.pk)
    return render(request, "documents/form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def document_edit(request, pk: int):
    document = _document_or_404(request, pk)
    if not rules.can(request.user, "edit", document):
        raise PermissionDenied
    form = DocumentForm(request.POST or None, request.FILES or None, instance=Document.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        try:
            document = services.document_edit(document=document, by=request.user, **form.cleaned_data)
        except services.DocumentError as exc:
            messages.warning(request, str(exc))
        else:
            messages.success(request, _("Saved (version %(version)s).") % {"version": document.version})
        return redirect("documents:detail", pk=document.pk)
    return render(request, "documents/form.html", {"form": form, "document": document})


@login_required
@require_GET
def document_detail(request, pk: int):
    document = _document_or_404(request, pk)
    user = request.user
    can = {action: rules.can(user, action, document) for action in ACTIONS + ("edit",)}
    opinion_form = OpinionForm()
    if can["countersign"]:
        departments = rules.countersign_departments_for(user, document)
        opinion_form.fields["department"].queryset = document.countersign_departments.filter(
            pk__in=[d.pk for d in departments]
        )
        opinion_form.fields["department"].required = True
        opinion_form.fields["department"].initial = departments[0].pk
    if can["sign_off"]:
        opinion_form.fields["reserved"].queryset = services.reserved_numbers_for(document)
    job = rendering.latest(document, "document")
    sheet = rendering.latest(document, "processing_sheet")
    opinions = list(document.opinions.select_related("author", "acting_for", "department"))
    services.document_opened(document=document, by=user, what=DocumentOpening.What.PAGE)
    ready = job if job is not None and job.status == job.Status.READY else rendering.latest_ready(document, "document")
    return render(
        request,
        "documents/detail.html",
        {
            **_classified_context(user, document, can),
            "document": document,
            "body_html": to_html(document.body),
            "can": can,
            "opinion_form": opinion_form,
            "opinions": opinions,
            "acknowledgements": document.acknowledgements.select_related("department", "by"),
            "job": job,
            "render_needed": job is None or job.version != file_version(document),
            # the latest job when it is ready (most of the time): no second query
            "ready": ready,
            # PDF and seal: the issued files checked against their hashes at sign-off
            "signed": signed_check(document, ready),
            "sheet": sheet,
            "sheet_needed": sheet is None or sheet.version != sheet_version(document, len(opinions)),
            "versions": document.versions.select_related("saved_by"),
            "attachments": document.attachments.select_related("uploaded_by"),
            "since_return": compare_versions(document, document.returned_version, document.version)
            if document.returned_version and document.returned_version < document.version
            else None,
            "countersign_departments": list(document.countersign_departments.all()),
            "recipient_departments": list(document.recipient_departments.all()),
        },
    )


def _classified_context(user, document: Document, can: dict) -> dict:
    """The classified document's block: its named readers, the pass-to form, who opened it (for
    those who may see that). Nothing, and no query, for an ordinary document."""
    if not document.named_only:
        return {"files_allowed": True}
    can["pass_to"] = rules.can(user, "pass_to", document)
    readers = list(document.readers.select_related("user", "passed_by"))
    return {
        "files_allowed": rules.may_take_files(user, document),
        "readers": readers,
        "pass_form": PassToForm(department_ids=department_ids(user), exclude=[user.pk, *(r.user_id for r in readers)])
        if can["pass_to"]
        else None,
        "openings": list(document.openings.select_related("user")[:OPENINGS_SHOWN])
        if rules.may_see_openings(user, document)
        else None,
    }


OPENINGS_SHOWN = 100


@login_required
@require_POST
def document_pass_to(request, pk: int):
    """传阅: a person named for a classified document lets colleagues read it."""
    document = _document_or_404(request, pk)
    if not rules.can(request.user, "pass_to", document):
        raise PermissionDenied
    form = PassToForm(request.POST, department_ids=department_ids(request.user))
    if not form.is_valid():
        messages.error(request, _("Choose colleagues from your own departments."))
        return redirect("documents:detail", pk=document.pk)
    try:
        readers = services.document_pass_to(document=document, by=request.user, people=form.cleaned_data["people"])
    except services.DocumentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Passed to %(count)s colleagues.") % {"count": len(readers)})
    return redirect("documents:detail", pk=document.pk)


def run_action(action: str, document: Document, user, post) -> tuple[str, str]:
    """Validate the step's form and call its service: (what was done, a note to show or "").
    Raises DocumentError (DocumentConflict when the document moved on). The document page's
    buttons and the API's steps (api/) both come here: one validation."""
    form = OpinionForm(post)
    if action == "countersign":
        form.fields["department"].queryset = document.countersign_departments.all()
        form.fields["department"].required = True
    if action == "sign_off":
        form.fields["reserved"].queryset = services.reserved_numbers_for(document)
    if action in ("review", "countersign", "sign_off") and not form.is_valid():
        too_long = form.has_error("text", "max_length")
        raise services.DocumentError(" ".join(form.errors["text"]) if too_long else _("Choose a decision."))
    return take_step(action, document, user, form.cleaned_data if form.is_valid() else {})


def take_step(action: str, document: Document, user, data: dict) -> tuple[str, str]:
    """Call the service of a step with its checked input (agree, text, department, reserved):
    (what was done, a note to show or ""). Also for decision links (documents/decide.py)."""
    agree, text = data.get("agree", True), data.get("text", "")
    done, note = _("Done."), ""
    if action == "submit":
        services.document_submit(document=document, by=user)
    elif action == "withdraw":
        services.document_withdraw(document=document, by=user)
    elif action == "review":
        services.document_review(document=document, by=user, agree=agree, text=text)
    elif action == "countersign":
        services.document_countersign(document=document, by=user, department=data["department"], agree=agree, text=text)
    elif action == "sign_off":
        document = services.document_sign_off(
            document=document, by=user, agree=agree, text=text, reserved=data.get("reserved")
        )
        if document.number_id:
            done = _("Signed off as %(number)s.") % {"number": document.number.text}
    elif action == "distribute":
        services.document_distribute(document=document, by=user)
    elif action == "acknowledge":
        for department in rules.acknowledge_departments_for(user, document):
            services.document_acknowledge(document=document, by=user, department=department)
    elif action == "remind":
        count = services.document_remind(document=document, by=user)
        note = _("%(count)s departments reminded.") % {"count": count}
    elif action == "archive":
        services.document_archive(document=document, by=user)
    elif action == "processing_sheet":
        services.document_render(document=document, kind="processing_sheet")
    else:
        services.document_render(document=document)
    return done, note


@login_required
@require_POST
def document_act(request, pk: int, action: str):
    if action not in ACTIONS:
        raise Http404
    document = _document_or_404(request, pk)
    user = request.user
    if not rules.can(user, action, document):
        if rules.moved_on(user, action, document):
            messages.warning(request, str(services.conflict(document)))
            return redirect("documents:detail", pk=document.pk)
        raise PermissionDenied(rules.refusal(user, action, document))
    try:
        done, note = run_action(action, document, user, request.POST)
    except services.DocumentConflict as exc:
        messages.warning(request, str(exc))
    except services.DocumentError as exc:
        messages.error(request, str(exc))
    else:
        if note:
            messages.info(request, note)
        messages.success(request, done)
    return redirect("documents:detail", pk=document.pk)


@login_required
@require_GET
def document_compare(request, pk: int):
    """留痕: the difference between two versions of the text."""
    document = _document_or_404(request, pk)
    numbers = list(document.versions.values_list("number", flat=True))
    try:
        a = int(request.GET.get("a") or (numbers[-2] if len(numbers) > 1 else numbers[0]))
        b = int(request.GET.get("b") or numbers[-1])
    except (TypeError, ValueError, IndexError):
        raise Http404 from None
    if a not in numbers or b not in numbers:
        raise Http404
    services.document_opened(
        document=document, by=request.user, what=DocumentOpening.What.VERSION, detail=f"v{a} → v{b}"
    )
    return render(
        request,
        "documents/compare.html",
        {"document": document, "comparison": compare_versions(document, a, b), "numbers": numbers, "a": a, "b": b},
    )


# Received documents (收文)


@login_required
@require_GET
def incoming_list(request):
    return render(
        request,
        "documents/incoming_list.html",
        {
            "items": selectors.visible_incoming(request.user).order_by("-registered_at")[:200],
            "may_register": rules.may_register_incoming(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def incoming_new(request):
    if not rules.may_register_incoming(request.user):
        raise PermissionDenied
    form = IncomingForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            incoming = services.incoming_register(by=request.user, **form.cleaned_data)
        except services.DocumentError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Registered; %(count)s departments have a request to handle it.")
                % {"count": incoming.routes.count()},
            )
            return redirect("documents:incoming_detail", pk=incoming.pk)
    return render(request, "documents/incoming_form.html", {"form": form})


@login_required
@require_GET
def incoming_detail(request, pk: int):
    incoming = get_object_or_404(selectors.visible_incoming(request.user), pk=pk)
    routes = incoming.routes.select_related("department", "task", "task__assignee")
    return render(request, "documents/incoming_detail.html", {"incoming": incoming, "routes": routes})


@login_required
@require_GET
def incoming_file(request, pk: int):
    incoming = get_object_or_404(selectors.visible_incoming(request.user), pk=pk)
    return serve_upload(incoming.file, incoming.file_name, inline=request.GET.get("inline") == "1")


@login_required
@require_GET
def incoming_preview(request, pk: int):
    """The received document's file in the page, with its download beside."""
    incoming = get_object_or_404(selectors.visible_incoming(request.user), pk=pk)
    return upload_preview(
        request,
        source=incoming,
        kind=IncomingDocument.PDF_KIND,
        name=incoming.file_name,
        download_url=reverse("documents:incoming_file", args=[incoming.pk]),
        back_url=reverse("documents:incoming_detail", args=[incoming.pk]),
        back_label=incoming.title,
    )


@login_required
@require_GET
def document_attachment(request, pk: int, attachment_id: int):
    document = _document_or_404(request, pk)
    attachment = get_object_or_404(document.attachments, pk=attachment_id)
    _files_or_403(request.user, document)
    services.document_opened(
        document=document, by=request.user, what=DocumentOpening.What.DOWNLOAD, detail=attachment.name
    )
    return serve_upload(attachment.file, attachment.name, inline=request.GET.get("inline") == "1")


@login_required
@require_GET
def document_attachment_preview(request, pk: int, attachment_id: int):
    """附件 in the page (a PDF, an image, a .docx through its PDF), with its download beside."""
    document = _document_or_404(request, pk)
    attachment = get_object_or_404(document.attachments, pk=attachment_id)
    _files_or_403(request.user, document)
    return upload_preview(
        request,
        source=attachment,
        kind=DocumentAttachment.PDF_KIND,
        name=attachment.name,
        download_url=reverse("documents:attachment", args=[document.pk, attachment.pk]),
        back_url=reverse("documents:detail", args=[document.pk]),
        back_label=document.title,
    )


# The number registers (文号登记簿): reserve (占号), void (退号), gap audit — for admins.


@login_required
@require_http_methods(["GET", "POST"])
def number_registers(request):
    if not request.user.is_superuser:
        raise PermissionDenied
    form = ReserveNumberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        number = services.number_reserve(
            kind=form.cleaned_data["kind"],
            prefix=services.prefix_of(form.cleaned_data["department"]),
            by=request.user,
            subject=form.cleaned_data["subject"],
        )
        messages.success(request, _("%(number)s is reserved.") % {"number": number.text})
        return redirect("documents:numbers")
    registers = [
        (sequence, services.gap_audit(sequence))
        for sequence in NumberSequence.objects.prefetch_related("numbers").order_by("-year", "prefix", "kind")[:100]
    ]
    reserved = DocumentNumber.objects.filter(status=DocumentNumber.Status.RESERVED).select_related("taken_by")
    return render(
        request,
        "documents/numbers.html",
        {"form": form, "registers": registers, "reserved": reserved, "void_form": VoidNumberForm()},
    )


@login_required
@require_POST
def number_void(request, pk: int):
    if not request.user.is_superuser:
        raise PermissionDenied
    number = get_object_or_404(DocumentNumber, pk=pk)
    form = VoidNumberForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the number is voided."))
    else:
        try:
            services.number_void(number=number, by=request.user, reason=form.cleaned_data["reason"])
        except services.NumberError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("%(number)s is voided.") % {"number": number.text})
    return redirect("documents:numbers")
