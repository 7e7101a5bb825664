from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from documents import rules, selectors, services
from documents.forms import DocumentForm, OpinionForm
from documents.models import Document, RenderJob

ACTIONS = ("submit", "withdraw", "review", "countersign", "sign_off", "distribute", "acknowledge", "archive", "render")


def _document_or_404(request, pk: int) -> Document:
    try:
        return selectors.visible_documents(request.user).get(pk=pk)
    except Document.DoesNotExist:
        raise Http404 from None


@login_required
@require_GET
def document_list(request):
    scope = request.GET.get("scope", "waiting")
    if scope == "all":
        documents = selectors.visible_documents(request.user)
    elif scope == "mine":
        documents = selectors.visible_documents(request.user).filter(drafter=request.user)
    else:
        scope, documents = "waiting", selectors.waiting_on(request.user)
    return render(
        request, "documents/list.html", {"documents": documents.order_by("-created_at")[:200], "scope": scope}
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_new(request):
    form = DocumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            document = services.document_create(
                by=request.user,
                kind=data["kind"],
                title=data["title"],
                recipients=data["recipients"],
                body=data["body"],
                cc=data["cc"],
                urgency=data["urgency"],
                secrecy=data["secrecy"],
                countersign_departments=data["countersign_departments"],
                recipient_departments=data["recipient_departments"],
            )
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
    form = DocumentForm(request.POST or None, instance=Document.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.document_edit(
            document=document,
            by=request.user,
            title=data["title"],
            recipients=data["recipients"],
            body=data["body"],
            cc=data["cc"],
        )
        document.countersign_departments.set(data["countersign_departments"])
        document.recipient_departments.set(data["recipient_departments"])
        messages.success(request, _("Saved as a new version."))
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
    return render(
        request,
        "documents/detail.html",
        {
            "document": document,
            "can": can,
            "opinion_form": opinion_form,
            "opinions": document.opinions.select_related("author", "acting_for", "department"),
            "acknowledgements": document.acknowledgements.select_related("department", "by"),
            "job": document.render_jobs.first(),
            "countersign_departments": list(document.countersign_departments.all()),
            "recipient_departments": list(document.recipient_departments.all()),
        },
    )


@login_required
@require_POST
def document_act(request, pk: int, action: str):
    if action not in ACTIONS:
        raise Http404
    document = _document_or_404(request, pk)
    user = request.user
    if not rules.can(user, action, document):
        raise PermissionDenied
    form = OpinionForm(request.POST)
    if action == "countersign":
        form.fields["department"].queryset = document.countersign_departments.all()
        form.fields["department"].required = True
    agree = form.cleaned_data["agree"] if form.is_valid() else True
    text = form.cleaned_data.get("text", "") if form.is_valid() else ""
    try:
        if action in ("review", "countersign", "sign_off") and not form.is_valid():
            raise services.DocumentError(_("Choose a decision."))
        if action == "submit":
            services.document_submit(document=document, by=user)
        elif action == "withdraw":
            services.document_withdraw(document=document, by=user)
        elif action == "review":
            services.document_review(document=document, by=user, agree=agree, text=text)
        elif action == "countersign":
            services.document_countersign(
                document=document, by=user, department=form.cleaned_data["department"], agree=agree, text=text
            )
        elif action == "sign_off":
            services.document_sign_off(document=document, by=user, agree=agree, text=text)
        elif action == "distribute":
            services.document_distribute(document=document, by=user)
        elif action == "acknowledge":
            for department in rules.acknowledge_departments_for(user, document):
                services.document_acknowledge(document=document, by=user, department=department)
        elif action == "archive":
            services.document_archive(document=document, by=user)
        else:
            services.document_render(document=document)
    except services.DocumentConflict as exc:
        messages.warning(request, str(exc))
    except services.DocumentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Done."))
    return redirect("documents:detail", pk=document.pk)


@login_required
@require_GET
def document_file(request, pk: int, job_id: int):
    document = _document_or_404(request, pk)
    job = get_object_or_404(RenderJob, pk=job_id, document=document, status=RenderJob.Status.READY)
    name = f"{document.number.text if document.number_id else document.title}-v{job.version}.docx"
    return FileResponse(
        job.file.open("rb"),
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
