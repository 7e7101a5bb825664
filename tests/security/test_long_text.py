"""Every form that takes free text refuses a megabyte of it: the page (or the message after the
redirect) says what is too long, nothing is saved, and it is never a 500."""

from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.utils import timezone

from documents import services as document_services
from documents.models import Document, IncomingDocument
from tasks.models import Reason, Task
from teams import services as team_services
from teams.models import Team
from tests.conftest import login
from tests.documents.test_views import draft_data
from tests.samples import sample
from tests.teams.conftest import english, goal, team, team_values  # noqa: F401

pytestmark = pytest.mark.django_db

MARK = "超长文本"
BIG = MARK * (1024 * 1024 // len(MARK.encode()))  # a megabyte as UTF-8 (349,524 characters)


def stored_anywhere() -> list[str]:
    """Every text column of every model that holds the long text (or the start of it)."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.CharField | models.TextField):
                if model._default_manager.filter(**{f"{field.name}__contains": MARK * 4}).exists():
                    found.append(f"{model.__name__}.{field.name}")
    return found


def refused_in_message(response):
    assert response.status_code == 302, response.status_code
    texts = [str(m) for m in get_messages(response.wsgi_request)]
    assert any("at most" in text or "最多" in text or "too long" in text or "超过" in text for text in texts), texts


def filing(**extra):
    return {"title": "采购", "f_amount": "100", "priority": "2", "action": "submit", **extra}


# Each case: (who posts, url, data, the field when the page shows the form again; None: a message).


def _task(request, state):
    return request.getfixturevalue("in_state")(state)


def _meeting(request, org):
    active = team_services.team_start(team=request.getfixturevalue("team"), by=org.sales_head)
    return active, team_services.meeting_add(
        team=active, by=org.sales_head, starts_at=timezone.now() + timedelta(days=1), minutes=60
    )


def _team_form(org, **extra):
    values = {
        **{k: v for k, v in team_values().items() if k not in ("strategic_goal", "private")},
        "m-TOTAL_FORMS": "2",
        "m-INITIAL_FORMS": "0",
        "m-0-user": org.requester.pk,
        "m-0-department": org.sales.pk,
        "m-1-user": org.assignee.pk,
        "m-1-department": org.purchasing.pk,
    }
    values.update(extra)
    return values


def _conflict(request, org):
    from conflicts import services as conflict_services
    from tasks import services as task_services

    task = request.getfixturevalue("file_request")(request.getfixturevalue("purchase"))
    task = task_services.task_approve(task=task, by=org.sales_head)
    return conflict_services.conflict_raise(
        by=org.requester, task=task, departments=[org.sales, org.purchasing], subject="交期", position="两周"
    )


CASES = {
    "filing: description": lambda r, org: (
        org.requester,
        f"/requests/new/{r.getfixturevalue('purchase').code}/",
        filing(description=BIG),
        "description",
    ),
    "request: comment": lambda r, org: (
        org.assignee,
        f"/requests/{_task(r, 'in_progress').number}/do/comment/",
        {"body": BIG},
        None,
    ),
    "request: approve opinion": lambda r, org: (
        org.sales_head,
        f"/requests/{_task(r, 'pending_approval').number}/do/approve/",
        {"opinion": BIG},
        None,
    ),
    "request: reject details": lambda r, org: (
        org.sales_head,
        f"/requests/{_task(r, 'pending_approval').number}/do/reject/",
        {"reason": Reason.POLICY, "comment": BIG},
        None,
    ),
    "request: accept note": lambda r, org: (
        org.purchasing_head,
        f"/requests/{_task(r, 'pending_acceptance').number}/do/accept/",
        {"assignee": org.assignee.pk, "note": BIG},
        None,
    ),
    "request: progress note": lambda r, org: (
        org.assignee,
        f"/requests/{_task(r, 'in_progress').number}/do/progress/",
        {"percent": "50", "note": BIG},
        None,
    ),
    "requests: bulk approve opinion": lambda r, org: (
        org.sales_head,
        "/requests/bulk/approve/",
        {"ids": [_task(r, "pending_approval").pk], "opinion": BIG},
        None,
    ),
    "document: body": lambda r, org: (org.requester, "/documents/new/", draft_data(body=BIG), "body"),
    "document: review opinion": lambda r, org: (
        org.sales_head,
        "/documents/{}/do/review/".format(
            document_services.document_submit(
                document=document_services.document_create(
                    by=org.requester,
                    kind="notice",
                    title="通知",
                    recipients="各部门",
                    body="正文",
                    recipient_departments=[org.purchasing],
                ),
                by=org.requester,
            ).pk
        ),
        {"agree": "yes", "text": BIG},
        None,
    ),
    "received document: summary": lambda r, org: (
        org.requester,
        "/documents/incoming/new/",
        {
            "title": "来文",
            "source": "某单位",
            "received_on": "2026-11-27",
            "urgency": "normal",
            "departments": [org.purchasing.pk],
            "summary": BIG,
            "file": SimpleUploadedFile("来文.pdf", sample("pdf")),
        },
        "form-summary",
    ),
    "team: goal (new)": lambda r, org: (org.requester, "/teams/new/", _team_form(org, goal=BIG), "goal"),
    "team: goal (edit)": lambda r, org: (
        org.sales_head,
        f"/teams/{r.getfixturevalue('team').pk}/edit/",
        _team_form(org, goal=BIG),
        "goal",
    ),
    "team: cancel reason": lambda r, org: (
        org.sales_head,
        f"/teams/{r.getfixturevalue('team').pk}/cancel/",
        {"reason": BIG},
        None,
    ),
    "team: complete comment": lambda r, org: (
        org.sales_head,
        f"/teams/{team_services.team_start(team=r.getfixturevalue('team'), by=org.sales_head).pk}/complete/",
        {"comment": BIG},
        None,
    ),
    "team: criteria": lambda r, org: (
        org.sales_head,
        f"/teams/{r.getfixturevalue('team').pk}/plan/",
        {"criteria": "1", "lines": BIG},
        "criteria_form-lines",
    ),
    "team: request description": lambda r, org: (
        org.sales_head,
        f"/teams/{team_services.team_start(team=r.getfixturevalue('team'), by=org.sales_head).pk}/requests/new/",
        {"request_type": r.getfixturevalue("support").pk, "title": "问", "description": BIG},
        "description",
    ),
    "meeting: agenda (new)": lambda r, org: (
        org.sales_head,
        f"/teams/{team_services.team_start(team=r.getfixturevalue('team'), by=org.sales_head).pk}/meetings/new/",
        {
            "starts_at": (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
            "minutes": "60",
            "agenda": BIG,
        },
        None,
    ),
    "meeting: agenda, minutes, decisions": lambda r, org: (
        lambda pair: (
            org.sales_head,
            f"/teams/{pair[0].pk}/meetings/{pair[1].pk}/",
            {"agenda": BIG, "minutes": BIG, "decisions": BIG},
            "agenda",
        )
    )(_meeting(r, org)),
    "conflict: raise position": lambda r, org: (
        org.requester,
        f"/conflicts/raise/request/{_task(r, 'pending_acceptance').number}/",
        {"subject": "交期", "departments": [org.sales.pk, org.purchasing.pk], "position": BIG},
        "position",
    ),
    "conflict: position": lambda r, org: (
        org.purchasing_head,
        f"/conflicts/{_conflict(r, org).pk}/do/position/",
        {"text": BIG},
        None,
    ),
    "conflict: proposal": lambda r, org: (
        org.purchasing_head,
        f"/conflicts/{_conflict(r, org).pk}/do/propose/",
        {"text": BIG},
        None,
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_megabyte_of_text_is_refused(client, org, request, settings, tmp_path, case):
    settings.MEDIA_ROOT = str(tmp_path)
    org.requester.user_permissions.add(Permission.objects.get(codename="add_incomingdocument"))
    user, url, data, field = CASES[case](request, org)
    counts = {model: model.objects.count() for model in (Task, Document, IncomingDocument, Team)}
    login(client, user)
    response = client.post(url, data)
    if field is None:
        refused_in_message(response)
    else:
        form_name, _, field_name = field.rpartition("-")
        assert response.status_code == 200, response.status_code
        form = response.context[form_name or "form"]
        assert field_name in form.errors, form.errors
        assert any(word in str(form.errors[field_name]) for word in ("at most", "最多", "超过"))
    assert stored_anywhere() == []
    assert counts == {model: model.objects.count() for model in counts}


# Text the portal writes itself (logs, e-mails, errors, search tokens) or that repeats bounded text.
MACHINE_WRITTEN = {
    "core.ActionLog.comment",  # the action log: what people typed, each with its own form's limit
    "tasks.HoldPeriod.comment",
    "tasks.Delivery.body",
    "tasks.Delivery.html",
    "tasks.Delivery.last_error",
    "core.GeneratedFile.error",
    "reports.SearchEntry.text",
    "reports.SearchEntry.title_tokens",
    "reports.SearchEntry.text_tokens",
}


def test_every_text_people_type_has_a_limit():
    project = {"tasks", "teams", "conflicts", "documents", "departments", "reports", "core"}
    unbounded = {
        f"{model._meta.app_label}.{model.__name__}.{field.name}"
        for model in apps.get_models()
        if model._meta.app_label in project
        for field in model._meta.concrete_fields
        if isinstance(field, models.TextField) and not field.max_length
    }
    assert unbounded <= MACHINE_WRITTEN, sorted(unbounded - MACHINE_WRITTEN)
