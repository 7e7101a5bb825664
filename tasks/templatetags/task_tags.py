from functools import cache, lru_cache
from html import escape
from urllib.parse import quote

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field, as_crispy_form
from django import template
from django.db import models
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language, gettext

from collab_portal.unchanging import once
from tasks.models import Priority, Task

register = template.Library()

STATE_CLASS = {
    "draft": "text-bg-secondary",
    "pending_approval": "text-bg-warning",
    "pending_acceptance": "text-bg-warning",
    "in_progress": "text-bg-primary",
    "on_hold": "text-bg-dark",
    "pending_verification": "text-bg-info",
    "done": "text-bg-success",
    "rejected": "text-bg-danger",
    "cancelled": "text-bg-light border",
}
PRIORITY_CLASS = {1: "text-body-secondary", 2: "", 3: "text-warning-emphasis fw-semibold", 4: "text-danger fw-bold"}


@register.filter
def state_class(state: str) -> str:
    return STATE_CLASS.get(state, "text-bg-secondary")


@lru_cache(maxsize=64)
def _labels(choices: type[models.Choices], language: str | None) -> dict:
    """A choices class's labels in `language`. get_FOO_display() translates every label of the
    field on each call (it hashes the lazy strings); a list asks for two per row."""
    return {value: str(label) for value, label in choices.choices}


def state_label(state: str) -> str:
    return _labels(Task.State, get_language()).get(state, state)


def priority_label(priority: int) -> str:
    return _labels(Priority, get_language()).get(priority, priority)


@register.filter
def state_badge(task) -> str:
    """The request's state as a coloured badge (a filter, not an include: lists show one per row)."""
    return format_html('<span class="badge {}">{}</span>', state_class(task.state), state_label(task.state))


@register.filter
def priority_class(priority: int) -> str:
    return PRIORITY_CLASS.get(priority, "")


@register.filter
def is_past(moment) -> bool:
    return bool(moment and moment < timezone.now())


NUMBER = "__number__"


@cache
def _pattern(name: str, prefix: str, urlconf, *args: str) -> str:
    return reverse(name, args=[NUMBER, *args], urlconf=urlconf)


def task_address(number: str, name: str = "tasks:detail", *args: str) -> str:
    """A request's address, as {% url name number *args %} gives it, from the pattern reversed once
    per process: lists and panels link every row, and each {% url %} resolves anew."""
    return _pattern(name, get_script_prefix(), get_urlconf(), *args).replace(NUMBER, quote(number, safe=""))


@register.filter
def task_url(number: str) -> str:
    """The request page's address ({% url 'tasks:detail' number %})."""
    return task_address(number)


def _when(moment) -> str:
    """A date and time as lists show it ({{ value|date:"m-d H:i" }} in the current time zone)."""
    return timezone.localtime(moment).strftime("%m-%d %H:%M")


ROW = (
    "<tr>{}"
    '<td class="font-monospace small"><a href="{}">{}</a></td>'
    '<td class="title-cell"><a href="{}" class="text-reset">{}</a>'
    '<div class="small text-body-secondary">{} · <span class="{}">{}</span></div></td>'
    "<td>{}</td>"
    '<td class="d-none d-md-table-cell small">{}<div class="text-body-secondary">{}</div></td>'
    '<td class="d-none d-md-table-cell small">{}</td>'
    '<td class="d-none d-lg-table-cell small">{}</td>'
    '<td class="d-none d-sm-table-cell small{}">{}</td>'
    "</tr>"
)
TICK = (
    '<td><input class="form-check-input" type="checkbox" name="ids" value="{}" form="bulk-form"'
    ' aria-label="{} {}"></td>'
)


@register.simple_tag
def task_rows(tasks, bulk_approve=False) -> str:
    """The rows of a request list (tasks/_rows.html), written here rather than in a {% for %}: a page
    has 25 rows of ten cells, and the template engine spent ~0.1 ms per row resolving them. Every
    value goes through escape() (html.escape, as Django's escape filter), so nothing typed is markup."""
    select = escape(gettext("Select"))
    rows = []
    for task in tasks:
        url = escape(task_url(task.number))
        number = escape(task.number)
        rows.append(
            ROW.format(
                TICK.format(task.pk, select, number) if bulk_approve else "",
                url,
                number,
                url,
                escape(task.title),
                escape(task.request_type.display_name),
                priority_class(task.priority),
                escape(priority_label(task.priority)),
                state_badge(task),
                escape(task.requesting_department.display_name),
                escape(task.requester.name),
                escape(task.target_department.display_name),
                escape(task.assignee.name) if task.assignee_id else "—",
                " text-danger fw-semibold" if task.is_overdue else "",
                _when(task.due_at) if task.due_at else "—",
            )
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - every value in the rows is escaped above


PANEL_ITEM = '<li class="list-group-item small"><a href="{}">{}</a> {}\n<div class="text-body-secondary">{}</div></li>'


@register.simple_tag(takes_context=True)
def panel_items(context, items, approvals=False) -> str:
    """The entries of a home page panel (tasks/_panel.html), written here for the reason task_rows
    is: the home page shows up to seventy. `items` are approvals waiting for the person when
    `approvals`, else requests."""
    user = context.get("user")
    entries = []
    for item in items:
        task = item.task if approvals else item
        if approvals:
            about = f"{escape(task.requester.name)} · {escape(task.requesting_department.display_name)}"
            if item.approver_id != getattr(user, "pk", None):
                about += " · " + escape(gettext("for %(who)s") % {"who": item.approver.name})
        else:
            about = f"{state_badge(task)} {escape(task.target_department.display_name)}"
            if task.due_at:
                late = "text-danger" if task.is_overdue else ""
                about += f' · <span class="{late}">{_when(task.due_at)}</span>'
        entries.append(
            PANEL_ITEM.format(
                escape(task_url(task.number)),
                escape(task.number),
                escape(Truncator(task.title).chars(40)),
                about,
            )
        )
    return mark_safe("\n".join(entries))  # noqa: S308 - every value in the entries is escaped above


INBOX_ROW = """<div class="list-group-item">
      <div class="d-flex flex-wrap justify-content-between gap-2">
        <div>
          <input class="form-check-input me-1" type="checkbox" name="ids" value="{pk}" form="bulk-{board}" aria-label="{select} {number}">
          <a href="{detail}" class="fw-semibold">{number} {title}</a>
          <div class="small text-body-secondary">{kind} · {department} · {requester} · <span class="{priority_class}">{priority}</span>{accept_by}</div>
        </div>
        <form method="post" action="{accept}" class="d-flex flex-wrap gap-1 align-items-center">
          <input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">
          <input type="hidden" name="seen_state" value="{state}">
          <input type="hidden" name="next" value="{next}">
          <label class="visually-hidden" for="assignee-{pk}">{assign_to}</label>
          <select class="form-select form-select-sm w-auto" name="assignee" id="assignee-{pk}" data-options-from="bulk-assignee-{board}">
            {options}
          </select>
          <button class="btn btn-sm btn-success" type="submit">{accept_label}</button>
          <a class="btn btn-sm btn-outline-secondary" href="{detail}#actions">{decline}</a>
        </form>
      </div>
    </div>"""


@register.simple_tag(takes_context=True)
def inbox_rows(context, board) -> str:
    """A department's waiting requests in the inbox (tasks/inbox.html), each with its accept form,
    written here for the reason task_rows is: ~0.2 ms per row in the template engine."""
    request = context["request"]
    words = {
        "select": escape(gettext("Select")),
        "assign_to": escape(gettext("Assign to")),
        "accept_label": escape(gettext("Accept")),
        "decline": escape(gettext("Decline or transfer")),
    }
    accept_by = escape(gettext("accept by"))
    csrf, next_url = escape(str(context.get("csrf_token", ""))), escape(request.get_full_path())
    now = timezone.now()
    rows = []
    for row in board["rows"]:
        task = row["task"]
        due = ""
        if task.accept_due_at:
            late = "text-danger fw-semibold" if task.accept_due_at < now else ""
            due = f' · {accept_by} <span class="{late}">{_when(task.accept_due_at)}</span>'
        rows.append(
            INBOX_ROW.format(
                **words,
                pk=task.pk,
                board=board["department"].pk,
                number=escape(task.number),
                title=escape(task.title),
                detail=escape(task_address(task.number)),
                accept=escape(task_address(task.number, "tasks:act", "accept")),
                kind=escape(task.request_type.display_name),
                department=escape(task.requesting_department.display_name),
                requester=escape(task.requester.name),
                priority_class=priority_class(task.priority),
                priority=escape(priority_label(task.priority)),
                accept_by=due,
                csrf=csrf,
                state=escape(task.state),
                next=next_url,
                options=row["options"],
            )
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - every value in the rows is escaped above


def _renders_the_same(form) -> bool:
    """An empty form of a class that says itself (not through a parent: TransferForm and HoldForm
    extend ReasonForm with the request's own choices) that it holds nothing from the request."""
    return type(form).__dict__.get("renders_the_same", False) and not form.is_bound and not form.initial


@register.filter
def crispy_once(form) -> str:
    """{{ form|crispy }}, built once per process and language for a form that renders the same
    for everyone (the request page's note and reason forms: ~0.5 ms each through crispy)."""
    if not _renders_the_same(form):
        return as_crispy_form(form)
    return once(("crispy form", type(form).__qualname__, form.prefix), lambda: as_crispy_form(form))


@register.filter
def crispy_field_once(field) -> str:
    """{{ field|as_crispy_field }}, likewise (the request page's comment box and file field)."""
    if not _renders_the_same(field.form):
        return as_crispy_field(field)
    key = ("crispy field", type(field.form).__qualname__, field.form.prefix, field.name)
    return once(key, lambda: as_crispy_field(field))


@register.simple_tag(takes_context=True)
def list_filters(context, form, hx_rows: bool = False) -> str:
    """The filters above a list (tasks/_filters.html). Unfiltered — most visits; the view passes
    None — the form is the same for everyone in a language and is built once per process: the key
    holds the department and type choices it shows, so a renamed department or a new type makes a
    new one at once."""
    from tasks.forms import FilterForm, filter_choices

    request = context["request"]

    def render(form) -> str:
        return render_to_string("tasks/_filters.html", {"filter_form": form, "hx_rows": hx_rows, "request": request})

    if form is not None:
        return render(form)
    departments, types = filter_choices()
    key = ("filters", request.path, hx_rows, tuple(departments), tuple(types))
    return once(key, lambda: render(FilterForm(choices=(departments, types))))


@register.simple_tag
def filing_fields(form) -> str:
    """The fields of the filing form (tasks/_filing_fields.html, through crispy-forms: ~6 ms). A new,
    empty form of a request type is the same for everyone in a language and is built once per
    process, keyed by what it shows that admins can change (TaskForm.unchanged_key)."""

    def build() -> str:
        return render_to_string("tasks/_filing_fields.html", {"form": form})

    key = form.unchanged_key()
    return build() if key is None else once(("filing", key), build)
