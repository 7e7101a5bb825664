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
        if key not in ("filing_departments", "co_departments"):
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
    guide = draft["guide"]
    co_ids = guide.get("co_departments") or []
    departments = Department.objects.in_bulk([*(guide.get("filing_departments") or []), *co_ids])
    return _page(
        request,
        request_type,
        "catalogue/type_detail.html",
        fields=task_selectors.fields_from(draft, request_type),
        steps=steps,
        filing_departments=[departments[pk] for pk in guide.get("filing_departments") or [] if pk in departments],
        co_departments=[departments[pk] for pk in co_ids if pk in departments],
        versions=task_selectors.versions_of(request_type),
        problems=task_services.draft_problems(draft),
        log=actions_of(request_type).order_by("-pk")[:20],
    )


@login_required
@require_http_methods(["GET", "POST"])
def guide_edit(request, code: str):
    request_type = _type_or_404(request, code)
    guide = task_selectors.draft_of(request_type)["guide"]
    initial = {
        **guide,
        "filing_departments": guide.get("filing_departments") or [],
        "co_departments": guide.get("co_departments") or [],
    }
    form = forms.GuideForm(request.POST or None, initial=initial, lead=request_type.department)
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
    shown = _with_guide(request_type, draft["guide"])
    fixed_co = [pk for pk in draft["guide"].get("co_departments") or [] if pk != request_type.department_id]
    return TaskForm(data, files, request_type=shown, user=user, specs=specs, fixed_co=fixed_co)


def _draft_item(draft: dict, items: str, ref: str | int) -> dict:
    """One item of the draft's `items` ("fields" or "steps"): a field by its key, a step by its
    number (counted from 1). 404 when the draft has no such item."""
    rows = draft[items]
    if isinstance(ref, int):
        if 1 <= ref <= len(rows):
            return rows[ref - 1]
    else:
        for row in rows:
            if row["key"] == ref:
                return row
    raise Http404


# Each kind of draft item: its list page and its form's template.
_ITEMS = {
    "fields": ("catalogue:fields", "catalogue/field_form.html"),
    "steps": ("catalogue:steps", "catalogue/step_form.html"),
}


def _item_form(request, request_type, items: str, form, save, ok: str, **context):
    """The page that adds or edits one item of the draft: on a valid POST `save(form)` changes the
    draft (a service call); its refusal shows on the form, success goes back to the list."""
    to, template = _ITEMS[items]
    if request.method == "POST" and form.is_valid():
        try:
            save(form)
        except TaskError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, ok)
            return redirect(to, code=request_type.code)
    return _page(request, request_type, template, form=form, **context)


@login_required
@require_http_methods(["GET", "POST"])
def field_add(request, code: str):
    request_type = _type_or_404(request, code)
    draft = task_selectors.draft_of(request_type)
    form = forms.FieldForm(request.POST or None, taken_keys=[f["key"] for f in draft["fields"]])
    save = lambda form: services.field_save(request_type=request_type, by=request.user, field=form.field())  # noqa: E731
    ok = _("Field added to the draft.")
    return _item_form(request, request_type, "fields", form, save, ok, field_key=None)


@login_required
@require_http_methods(["GET", "POST"])
def field_edit(request, code: str, key: str):
    request_type = _type_or_404(request, code)
    field = _draft_item(task_selectors.draft_of(request_type), "fields", key)
    form = forms.FieldForm(request.POST or None, initial=field, editing=True)
    save = lambda form: services.field_save(request_type=request_type, by=request.user, field=form.field(), key=key)  # noqa: E731
    ok = _("Field saved in the draft.")
    return _item_form(request, request_type, "fields", form, save, ok, field_key=key)


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
    form = _step_form(request, request_type, task_selectors.draft_of(request_type))
    save = lambda form: services.step_save(request_type=request_type, by=request.user, step=form.step())  # noqa: E731
    ok = _("Step added to the draft's route.")
    return _item_form(request, request_type, "steps", form, save, ok, number=None)


@login_required
@require_http_methods(["GET", "POST"])
def step_edit(request, code: str, number: int):
    request_type = _type_or_404(request, code)
    draft = task_selectors.draft_of(request_type)
    step = _draft_item(draft, "steps", number)
    initial = {**step, "users": step.get("users") or [], "department": step.get("department")}
    form = _step_form(request, request_type, draft, initial)
    save = lambda form: services.step_save(  # noqa: E731
        request_type=request_type, by=request.user, step=form.step(), number=number
    )
    ok = _("Step saved in the draft's route.")
    return _item_form(request, request_type, "steps", form, save, ok, number=number)


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


@login_required
@require_http_methods(["GET", "POST"])
def republish(request, code: str, number: int):
    """One-click restore: publish an earlier version again as the new current version. A pending
    draft would be lost, so then the click lands on a page that says so and asks to confirm."""
    request_type = _type_or_404(request, code)
    version = RequestTypeVersion.objects.filter(request_type=request_type, number=number).first()
    if version is None:
        raise Http404
    confirmed = request.POST.get("discard_draft") == "1"
    if request.method == "GET" or (request_type.draft is not None and not confirmed):
        return _page(request, request_type, "catalogue/republish.html", version=version)
    try:
        published = task_services.request_type_publish_version(
            request_type=request_type, by=request.user, version=version, discard_draft=confirmed
        )
    except TaskError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Version %(number)s published again as version %(new)s: new requests are filed on it.")
            % {"number": number, "new": published.number},
        )
    return redirect("catalogue:type", code=request_type.code)
