"""The catalogue's pages: a department administrator's request types, their guide, form designer,
approval route, preview, and publishing. Every page edits the draft; only publish changes what
filers see."""

import copy
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from catalogue import forms, selectors, services
from core.actions import actions_of
from departments.models import Department
from departments.selectors import departments_administered_by
from tasks import selectors as task_selectors
from tasks import services as task_services
from tasks.forms import TaskForm, preview_values
from tasks.models import RequestType, RequestTypeVersion
from tasks.services import TaskError


def _administrator(request) -> None:
    """The list and the new-type page are for people who administer some department."""
    if not request.user.has_perm("departments.administer"):
        raise PermissionDenied


def _type_or_404(request, code: str) -> RequestType:
    """The type if the user administers its department; anyone else gets 404, so codes reveal nothing."""
    request_type = RequestType.objects.select_related("department").filter(code=code[:40]).first()
    if request_type is None or not request.user.has_perm("departments.administer", request_type.department):
        raise Http404
    return request_type


def _with_guide(request_type: RequestType, guide: dict) -> RequestType:
    """An unsaved copy of the type showing the draft's guide (for the preview)."""
    shown = copy.copy(request_type)
    for key, value in guide.items():
        if key in ("accept_sla_hours", "finish_sla_hours"):
            value = Decimal(str(value or 0))
        if key != "filing_departments":
            setattr(shown, key, value)
    return shown


def _page(request, request_type, template, **context):
    draft = task_selectors.draft_of(request_type)
    return render(
        request,
        template,
        {
            "request_type": request_type,
            "draft": draft,
            "draft_type": _with_guide(request_type, draft["guide"]),
            **context,
        },
    )


def _done(request, request_type, call, *, to="catalogue:type", ok: str = ""):
    """Run a service; its refusal becomes a message. Back to the type's page either way."""
    try:
        call()
    except TaskError as exc:
        messages.error(request, str(exc))
    else:
        if ok:
            messages.success(request, ok)
    return redirect(to, code=request_type.code)


@login_required
@require_GET
def type_list(request):
    _administrator(request)
    return render(request, "catalogue/type_list.html", {"types": selectors.types_administered_by(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def type_create(request):
    _administrator(request)
    form = forms.CreateForm(request.POST or None, departments=departments_administered_by(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            request_type = task_services.request_type_create(
                by=request.user,
                department=data["department"],
                code=data["code"],
                name=data["name"],
                name_en=data["name_en"],
            )
        except TaskError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Request type created as a draft. Add its fields and route, then publish it."))
            return redirect("catalogue:type", code=request_type.code)
    return render(request, "catalogue/type_create.html", {"form": form})


@login_required
@require_GET
def type_detail(request, code: str):
    request_type = _type_or_404(request, code)
    draft = task_selectors.draft_of(request_type)
    steps = task_selectors.steps_from(draft, request_type)
    departments = Department.objects.in_bulk(draft["guide"].get("filing_departments") or [])
    return _page(
        request,
        request_type,
        "catalogue/type_detail.html",
        fields=task_selectors.fields_from(draft, request_type),
        steps=steps,
        filing_departments=list(departments.values()),
        versions=task_selectors.versions_of(request_type),
        problems=task_services.draft_problems(draft),
        log=actions_of(request_type).order_by("-pk")[:20],
    )


@login_required
@require_http_methods(["GET", "POST"])
def guide_edit(request, code: str):
    request_type = _type_or_404(request, code)
    guide = task_selectors.draft_of(request_type)["guide"]
    initial = {**guide, "filing_departments": guide.get("filing_departments") or []}
    form = forms.GuideForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.guide_update(request_type=request_type, by=request.user, guide=form.guide())
        except TaskError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Guide saved in the draft."))
            return redirect("catalogue:type", code=request_type.code)
    return _page(request, request_type, "catalogue/guide_form.html", form=form)


@login_required
@require_GET
def field_list(request, code: str):
    request_type = _type_or_404(request, code)
    draft = task_selectors.draft_of(request_type)
    return _page(
        request,
        request_type,
        "catalogue/field_list.html",
        fields=task_selectors.fields_from(draft, request_type),
        form=forms.FieldForm(),
        preview_form=_preview_form(request_type, draft, request.user),
    )


def _preview_form(request_type, draft, user, data=None, files=None):
    specs = task_selectors.fields_from(draft, request_type)
    return TaskForm(data, files, request_type=_with_guide(request_type, draft["guide"]), user=user, specs=specs)


@login_required
@require_http_methods(["GET", "POST"])
def field_add(request, code: str):
    request_type = _type_or_404(request, code)
    draft = task_selectors.draft_of(request_type)
    form = forms.FieldForm(request.POST or None, taken_keys=[f["key"] for f in draft["fields"]])
    if request.method == "POST" and form.is_valid():
        try:
            services.field_save(request_type=request_type, by=request.user, field=form.field())
        except TaskError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Field added to the draft."))
            return redirect("catalogue:fields", code=request_type.code)
    return _page(request, request_type, "catalogue/field_form.html", form=form, field_key=None)


def _draft_field(request_type, key: str) -> dict:
    for field in task_selectors.draft_of(request_type)["fields"]:
        if field["key"] == key:
            return field
    raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def field_edit(request, code: str, key: str):
    request_type = _type_or_404(request, code)
    field = _draft_field(request_type, key)
    form = forms.FieldForm(request.POST or None, initial=field, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.field_save(request_type=request_type, by=request.user, field=form.field(), key=key)
        except TaskError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Field saved in the draft."))
            return redirect("catalogue:fields", code=request_type.code)
    return _page(request, request_type, "catalogue/field_form.html", form=form, field_key=key)


@login_required
@require_POST
def field_delete(request, code: str, key: str):
    request_type = _type_or_404(request, code)
    call = lambda: services.field_delete(request_type=request_type, by=request.user, key=key)  # noqa: E731
    return _done(request, request_type, call, to="catalogue:fields", ok=_("Field removed from the draft."))


@login_required
@require_POST
def field_move(request, code: str, key: str):
    request_type = _type_or_404(request, code)
    up = request.POST.get("direction") != "down"
    call = lambda: services.field_move(request_type=request_type, by=request.user, key=key, up=up)  # noqa: E731
    return _done(request, request_type, call, to="catalogue:fields")


@login_required
@require_GET
def step_list(request, code: str):
    request_type = _type_or_404(request, code)
    draft = task_selectors.draft_of(request_type)
    return _page(
        request,
        request_type,
        "catalogue/step_list.html",
        steps=task_selectors.steps_from(draft, request_type),
        problems=task_services.condition_problems(draft),
    )


def _step_form(request, request_type, draft, initial=None):
    return forms.StepForm(request.POST or None, initial=initial, draft_fields=draft["fields"])


@login_required
@require_http_methods(["GET", "POST"])
def step_add(request, code: str):
    request_type = _type_or_404(request, code)
    draft = task_selectors.draft_of(request_type)
    form = _step_form(request, request_type, draft)
    if request.method == "POST" and form.is_valid():
        try:
            services.step_save(request_type=request_type, by=request.user, step=form.step())
        except TaskError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Step added to the draft's route."))
            return redirect("catalogue:steps", code=request_type.code)
    return _page(request, request_type, "catalogue/step_form.html", form=form, number=None)


@login_required
@require_http_methods(["GET", "POST"])
def step_edit(request, code: str, number: int):
    request_type = _type_or_404(request, code)
    draft = task_selectors.draft_of(request_type)
    if not 1 <= number <= len(draft["steps"]):
        raise Http404
    step = draft["steps"][number - 1]
    initial = {**step, "users": step.get("users") or [], "department": step.get("department")}
    form = _step_form(request, request_type, draft, initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.step_save(request_type=request_type, by=request.user, step=form.step(), number=number)
        except TaskError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Step saved in the draft's route."))
            return redirect("catalogue:steps", code=request_type.code)
    return _page(request, request_type, "catalogue/step_form.html", form=form, number=number)


@login_required
@require_POST
def step_delete(request, code: str, number: int):
    request_type = _type_or_404(request, code)
    call = lambda: services.step_delete(request_type=request_type, by=request.user, number=number)  # noqa: E731
    return _done(request, request_type, call, to="catalogue:steps", ok=_("Step removed from the draft's route."))


@login_required
@require_POST
def step_move(request, code: str, number: int):
    request_type = _type_or_404(request, code)
    up = request.POST.get("direction") != "down"
    call = lambda: services.step_move(request_type=request_type, by=request.user, number=number, up=up)  # noqa: E731
    return _done(request, request_type, call, to="catalogue:steps")


@login_required
@require_http_methods(["GET", "POST"])
def preview(request, code: str):
    """The draft's filing form as a filer sees it, and the route it would take for a sample filer
    and the values typed in. Nothing is filed or saved."""
    request_type = _type_or_404(request, code)
    draft = task_selectors.draft_of(request_type)
    sample = forms.SampleFilerForm(request.POST or None)
    filer = request.user
    if request.method == "POST" and sample.is_valid() and sample.cleaned_data["filer"]:
        filer = sample.cleaned_data["filer"]
    form = _preview_form(request_type, draft, filer, request.POST or None, request.FILES or None)
    if request.method == "POST":
        form.is_valid()  # shows the filer's messages: required fields, limits, patterns
    shown = _with_guide(request_type, draft["guide"])
    department = filer.primary_department
    steps = task_selectors.steps_from(draft, request_type)
    values = preview_values(shown, request.POST, form.specs)
    route = task_selectors.approval_route(shown, filer, department, values, steps=steps) if department else []
    return _page(
        request,
        request_type,
        "catalogue/preview.html",
        form=form,
        sample=sample,
        filer=filer,
        preview={
            "route": route,
            "expected_finish": task_selectors.expected_finish(shown, route),
            "department": department,
        },
    )


@login_required
@require_POST
def publish(request, code: str):
    request_type = _type_or_404(request, code)
    try:
        version = task_services.request_type_publish(request_type=request_type, by=request.user)
    except TaskError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("Version %(number)s published: new requests are filed on it.") % {"number": version.number}
        )
    return redirect("catalogue:type", code=request_type.code)


@login_required
@require_POST
def retire(request, code: str):
    request_type = _type_or_404(request, code)
    call = lambda: task_services.request_type_retire(request_type=request_type, by=request.user)  # noqa: E731
    return _done(request, request_type, call, ok=_("Retired: nobody can file it now; its requests go on."))


@login_required
@require_POST
def reinstate(request, code: str):
    request_type = _type_or_404(request, code)
    call = lambda: task_services.request_type_reinstate(request_type=request_type, by=request.user)  # noqa: E731
    return _done(request, request_type, call, ok=_("Back in use: people can file it again."))


@login_required
@require_POST
def discard(request, code: str):
    request_type = _type_or_404(request, code)
    call = lambda: task_services.request_type_discard_draft(request_type=request_type, by=request.user)  # noqa: E731
    return _done(request, request_type, call, ok=_("Draft discarded: it is the published version again."))


@login_required
@require_POST
def restore(request, code: str, number: int):
    request_type = _type_or_404(request, code)
    version = RequestTypeVersion.objects.filter(request_type=request_type, number=number).first()
    if version is None:
        raise Http404
    call = lambda: task_services.request_type_restore(request_type=request_type, by=request.user, version=version)  # noqa: E731
    return _done(
        request,
        request_type,
        call,
        ok=_("Version %(number)s copied into the draft: publish it to use it again.") % {"number": number},
    )
