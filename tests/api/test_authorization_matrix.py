"""The API half of the authorization matrix (tests/test_authorization_matrix.py is the pages' half).

Every API address × anonymous, outsider, involved, manager, admin, and a token with the read scope.
Personas call with a token of the "read and act" scope; `read` is a read-scope token of the
persona the entry names (`reader=`, by default the first of involved and manager that gets a
2xx), who gets what that persona gets for a GET and 403 for every POST.

The request steps act on a request brought to the state the step starts from (`World.request_in`),
so each entry shows the rule of tasks/rules.py at work, not a state mismatch.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from api.services import token_create
from tasks import services as task_services
from tasks.models import Reason, RequestType, Task
from tests.test_authorization_matrix import World, build_world, url_pattern_names

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "outsider", "involved", "manager", "admin", "read")


@dataclass
class ApiCheck:
    method: str
    url: object
    expect: dict
    data: object = None
    as_involved: str = "requester"
    as_manager: str = "sales_head"
    multipart: bool = False
    after: object = None
    session: bool = False  # the docs page: a browser page, signed in by session
    extra: dict = field(default_factory=dict)


def check(method, url, *, outsider, involved, manager, admin, anonymous=401, read=None, **options) -> ApiCheck:
    expect = {"anonymous": anonymous, "outsider": outsider, "involved": involved, "manager": manager, "admin": admin}
    if read is None:
        base = involved if 200 <= involved < 300 else manager
        read = base if method == "GET" else 403
    expect["read"] = read
    return ApiCheck(method, url, expect, **options)


def everyone(status, anonymous=401):
    return {"anonymous": anonymous, "outsider": status, "involved": status, "manager": status, "admin": status}


# The request a step acts on, in the state it starts from.
def request_in(state):
    return lambda w: w.request_in(state)


def step(name, state, *, data=None, **expect):
    def url(w):
        return f"/api/v1/requests/{w.request_in(state).number}/{name}/"

    return check("POST", url, data=data, **expect)


def _state_unless(changed_by: str, state: str, new_state: str):
    """Only `changed_by` moved the request on, to `new_state`; every refusal left it as it was."""

    def after(w, persona, response):
        task = Task.objects.get(pk=w.request_in(state).pk)
        moved = persona == changed_by and response.status_code == 200
        assert task.state == (new_state if moved else state), (persona, task.state)

    return after


def _document_submitted_only_by_drafter(w, persona, response):
    from documents.models import Document

    state = Document.objects.get(pk=w.document.pk).state
    assert state == ("reviewing" if persona == "involved" else "draft"), (persona, state)


def _document_still_a_draft(w, persona, response):
    from documents.models import Document

    assert Document.objects.get(pk=w.document.pk).state == "draft", persona


def _acknowledged_by_head_only(level: str):
    def after(w, persona, response):
        from documents.models import Acknowledgement

        ack = Acknowledgement.objects.get(document=w.classified(level))
        assert (ack.at is not None) == (persona == "manager"), (level, persona)
        if persona == "involved":
            assert "Only the head of a recipient department" in response.json()["message"] or (
                "签收" in response.json()["message"]
            ), response.json()

    return after


def _document_url(step: str):
    return lambda w: f"/api/v1/documents/{w.document.pk}/{step}/"


def _meetings_added_by(*adders: str):
    def after(w, persona, response):
        added = w.team.meetings.filter(starts_at__date="2027-01-05").count()
        assert added == (1 if persona in adders and response.status_code == 201 else 0), (persona, added)

    return after


def _action_done_by(*doers: str):
    def after(w, persona, response):
        w.action_item.refresh_from_db()
        done = persona in doers and response.status_code == 200
        assert (w.action_item.done_at is not None) == done, persona

    return after


def _team_now(state: str, *movers: str, otherwise: str = "planning"):
    """The world's team is in `state` after `movers` took the step; as it was otherwise."""

    def after(w, persona, response):
        from teams.models import Team

        now = Team.objects.get(pk=w.team.pk).state
        assert now == (state if persona in movers else otherwise), (persona, now)

    return after


def _conflict_now(state: str, *movers: str):
    """The world's conflict is in `state` after `movers` took the step; still negotiating otherwise."""

    def after(w, persona, response):
        from conflicts.models import Conflict

        moved = persona in movers and response.status_code == 200
        now = Conflict.objects.get(pk=w.conflict.pk).state
        assert now == (state if moved else "negotiation"), (persona, now)

    return after


def _conflict_step(name: str, *, moves, **expect):
    movers = [persona for persona, status in expect.items() if status == 200] if moves else []
    return check(
        "POST",
        lambda w: f"/api/v1/conflicts/{w.conflict.pk}/{name}/",
        data={"text": "三周交货"},
        after=_conflict_now(moves or "negotiation", *movers),
        **expect,
    )


def _proposed_by_purchasing(w):
    from conflicts import services as conflict_services

    if not w.conflict.proposal:
        w.conflict = conflict_services.conflict_propose(conflict=w.conflict, by=w.org.purchasing_head, text="四周交货")
    return f"/api/v1/conflicts/{w.conflict.pk}/agree/"


def _conflicts_raised_only_by(*raisers: str):
    def after(w, persona, response):
        from conflicts.models import Conflict

        raised = Conflict.objects.filter(subject="付款条件争议").count()
        assert raised == (1 if persona in raisers and response.status_code == 201 else 0), (persona, raised)

    return after


DRAFT_REFUSED = ("withdraw", "countersign", "sign_off", "distribute", "remind", "archive")


ENTRIES: dict[str, list[ApiCheck]] = {
    # Schema and docs: for people signed in to the portal.
    "api:schema": [check("GET", lambda w: "/api/schema/", **everyone(200))],
    "api:docs": [check("GET", lambda w: "/api/docs/", session=True, read=302, **everyone(200, anonymous=302))],
    "api:not_found": [check("GET", lambda w: "/api/v1/nothing/", **everyone(404, anonymous=404), read=404)],
    # Requests
    "api:requests": [
        check("GET", lambda w: "/api/v1/requests/", **everyone(200)),
        check("GET", lambda w: "/api/v1/requests/?scope=approvals", **everyone(200)),
        check(
            "POST",
            lambda w: "/api/v1/requests/",
            data=lambda w: {"request_type": "support", "title": "咨询报价", "submit": True},
            # The admin belongs to no department, so files nothing (a 400 saying so).
            **{**everyone(201), "admin": 400},
        ),
    ],
    "api:request": [
        check(
            "GET", lambda w: f"/api/v1/requests/{w.task.number}/", outsider=404, involved=200, manager=200, admin=200
        ),
        # A draft is its requester's alone.
        check(
            "GET", lambda w: f"/api/v1/requests/{w.draft.number}/", outsider=404, involved=200, manager=404, admin=404
        ),
        check(
            "GET",
            lambda w: f"/api/v1/requests/{w.foreign.number}/",
            outsider=200,
            involved=404,
            manager=404,
            admin=200,
            read=404,
        ),
    ],
    "api:request_approve": [
        step(
            "approve",
            "pending_approval",
            outsider=404,
            involved=403,
            manager=200,
            admin=403,
            after=_state_unless("manager", "pending_approval", "pending_acceptance"),
        )
    ],
    "api:request_reject": [
        step(
            "reject",
            "pending_approval",
            data={"reason": Reason.POLICY},
            outsider=404,
            involved=403,
            manager=200,
            admin=403,
        )
    ],
    "api:request_return": [
        step(
            "return",
            "pending_approval",
            data={"reason": Reason.UNCLEAR},
            outsider=404,
            involved=403,
            manager=200,
            admin=403,
            after=_state_unless("manager", "pending_approval", "draft"),
        )
    ],
    # 加签 and 转签: whoever decides the step now (the page's rule "approve").
    "api:request_add_approver": [
        check(
            "POST",
            lambda w: f"/api/v1/requests/{w.request_in('pending_approval').number}/add-approver/",
            data=lambda w: {"person": w.org.leader.pk, "position": "alongside", "comment": "请郑总会签"},
            outsider=404,
            involved=403,
            manager=200,
            admin=403,
        )
    ],
    "api:request_forward": [
        check(
            "POST",
            lambda w: f"/api/v1/requests/{w.request_in('pending_approval').number}/forward/",
            data=lambda w: {"person": w.org.sales_deputy.pk, "comment": "出差"},
            outsider=404,
            involved=403,
            manager=200,
            admin=403,
        )
    ],
    "api:request_accept": [
        step(
            "accept",
            "pending_acceptance",
            data=lambda w: {"assignee": w.org.assignee.pk},
            as_manager="purchasing_head",
            outsider=404,
            involved=403,
            manager=200,
            admin=403,
        )
    ],
    "api:request_decline": [
        step(
            "decline",
            "pending_acceptance",
            data={"reason": Reason.WRONG_DEPARTMENT},
            as_manager="purchasing_head",
            outsider=404,
            involved=403,
            manager=200,
            admin=403,
        )
    ],
    "api:request_transfer": [
        step(
            "transfer",
            "pending_acceptance",
            data=lambda w: {"reason": Reason.WRONG_DEPARTMENT, "department": w.org.sales.pk},
            as_manager="purchasing_head",
            outsider=404,
            involved=403,
            manager=200,
            admin=403,
        )
    ],
    "api:request_assign": [
        step(
            "assign",
            "in_progress",
            data=lambda w: {"assignee": w.org.purchasing_head.pk},
            as_manager="purchasing_head",
            outsider=404,
            involved=403,
            manager=200,
            admin=403,
        )
    ],
    "api:request_progress": [
        step(
            "progress",
            "in_progress",
            data={"percent": 50},
            as_involved="assignee",
            as_manager="purchasing_head",
            outsider=404,
            involved=200,
            manager=403,
            admin=403,
        )
    ],
    "api:request_hold": [
        step(
            "hold",
            "in_progress",
            data={"reason": Reason.WAITING_REQUESTER},
            as_involved="assignee",
            as_manager="purchasing_head",
            outsider=404,
            involved=200,
            manager=200,
            admin=403,
        )
    ],
    "api:request_resume": [
        step(
            "resume",
            "on_hold",
            as_involved="assignee",
            as_manager="purchasing_head",
            outsider=404,
            involved=200,
            manager=200,
            admin=403,
        )
    ],
    "api:request_finish": [
        step(
            "finish",
            "in_progress",
            as_involved="assignee",
            as_manager="purchasing_head",
            outsider=404,
            involved=200,
            manager=403,
            admin=403,
        )
    ],
    "api:request_submit": [
        # A draft: nobody else even sees it.
        step("submit", "draft", outsider=404, involved=200, manager=404, admin=404)
    ],
    "api:request_confirm": [
        step("confirm", "pending_verification", outsider=404, involved=200, manager=403, admin=403)
    ],
    "api:request_reopen": [
        step(
            "reopen",
            "pending_verification",
            data={"reason": Reason.QUALITY},
            outsider=404,
            involved=200,
            manager=403,
            admin=403,
        )
    ],
    "api:request_revise": [step("revise", "rejected", outsider=404, involved=200, manager=403, admin=403)],
    "api:request_cancel": [
        step(
            "cancel",
            "pending_approval",
            data={"comment": "不需要了"},
            outsider=404,
            involved=200,
            manager=403,
            admin=200,
        )
    ],
    # 撤回: the requester's alone, before anyone decided (approved and waiting for the department: too late, 400).
    "api:request_withdraw": [
        step("withdraw", "pending_approval", outsider=404, involved=200, manager=403, admin=403),
        step("withdraw", "pending_acceptance", outsider=404, involved=400, manager=403, admin=403),
    ],
    "api:request_urge": [step("urge", "pending_approval", outsider=404, involved=200, manager=403, admin=403)],
    "api:request_comment": [
        step("comment", "pending_approval", data={"body": "请尽快"}, outsider=404, involved=200, manager=200, admin=200)
    ],
    "api:request_attach": [
        check(
            "POST",
            lambda w: f"/api/v1/requests/{w.request_in('pending_approval').number}/attach/",
            data=lambda w: {"files": [SimpleUploadedFile("quote.txt", b"price")]},
            multipart=True,
            outsider=404,
            involved=200,
            manager=200,
            admin=200,
        )
    ],
    # Request types, departments, people: everyone signed in (the filing page and the directory).
    "api:request_types": [check("GET", lambda w: "/api/v1/request-types/", **everyone(200))],
    "api:request_type": [
        check("GET", lambda w: "/api/v1/request-types/purchase/", **everyone(200)),
        check("GET", lambda w: "/api/v1/request-types/nope/", **everyone(404)),
    ],
    "api:departments": [check("GET", lambda w: "/api/v1/departments/", **everyone(200))],
    "api:department": [check("GET", lambda w: "/api/v1/departments/sales/", **everyone(200))],
    "api:people": [check("GET", lambda w: "/api/v1/people/?q=s", **everyone(200))],
    "api:person": [check("GET", lambda w: "/api/v1/people/requester/", **everyone(200))],
    # Documents: the drafter's department sees its draft; 人事's is theirs.
    "api:documents": [
        check("GET", lambda w: "/api/v1/documents/", **everyone(200)),
        check(
            "POST",
            lambda w: "/api/v1/documents/",
            data={"kind": "notice", "title": "关于放假的通知", "recipients": "各部门", "body": "放假三天。"},
            **{**everyone(201), "admin": 400},
        ),
    ],
    "api:document": [
        check(
            "GET", lambda w: f"/api/v1/documents/{w.document.pk}/", outsider=404, involved=200, manager=200, admin=200
        ),
        check(
            "GET",
            lambda w: f"/api/v1/documents/{w.foreign_document.pk}/",
            outsider=200,
            involved=404,
            manager=404,
            admin=200,
            read=404,
        ),
        # A 秘密 document distributed to 采购部: its head reads it, a member not passed it and an
        # admin not named for it get a 404; the member it was passed to reads it.
        check(
            "GET",
            lambda w: f"/api/v1/documents/{w.secret.pk}/",
            as_involved="assignee",
            as_manager="purchasing_head",
            outsider=404,
            involved=404,
            manager=200,
            admin=404,
            read=200,
        ),
        check(
            "GET",
            lambda w: f"/api/v1/documents/{w.secret.pk}/",
            as_involved="purchasing_reader",
            outsider=404,
            involved=200,
            manager=200,
            admin=404,
        ),
        # 机密 and 绝密 as 秘密; the 机要 office (registry_clerk) reads 机密, not 绝密 unless named.
        *[
            check(
                "GET",
                lambda w, level=level: f"/api/v1/documents/{w.classified(level).pk}/",
                as_involved=involved,
                as_manager=manager,
                outsider=404,
                involved=involved_gets,
                manager=manager_gets,
                admin=404,
                read=read,
            )
            for level in ("highly_secret", "top_secret")
            for involved, manager, involved_gets, manager_gets, read in (
                ("assignee", "purchasing_head", 404, 200, 200),
                ("purchasing_reader", "requester", 200, 200, 200),
                ("purchasing_reader", "registry_clerk", 200, 200 if level == "highly_secret" else 404, 200),
            )
        ],
    ],
    "api:document_submit": [
        check(
            "POST",
            lambda w: f"/api/v1/documents/{w.document.pk}/submit/",
            outsider=404,
            involved=200,
            manager=403,
            admin=403,
            after=_document_submitted_only_by_drafter,
        )
    ],
    # The other steps of a draft: nobody may take them yet (the drafter submits first).
    **{
        f"api:document_{name}": [
            check(
                "POST",
                _document_url(name),
                data={"agree": "yes", "text": "同意"},
                outsider=404,
                involved=403,
                manager=403,
                admin=403,
                after=_document_still_a_draft,
            )
        ]
        for name in DRAFT_REFUSED
    },
    # 签收 of a classified document: the recipient department's head (200); the member it was
    # passed to reads it only (403, with the reason in the JSON error), at every level.
    "api:document_acknowledge": [
        *[
            check(
                "POST",
                _document_url(name),
                data={"agree": "yes", "text": "同意"},
                outsider=404,
                involved=403,
                manager=403,
                admin=403,
                after=_document_still_a_draft,
            )
            for name in ("acknowledge",)
        ],
        *[
            check(
                "POST",
                lambda w, level=level: f"/api/v1/documents/{w.classified(level).pk}/acknowledge/",
                as_involved="purchasing_reader",
                as_manager="purchasing_head",
                outsider=404,
                involved=403,
                manager=200,
                admin=404,
                after=_acknowledged_by_head_only(level),
            )
            for level in ("secret", "highly_secret", "top_secret")
        ],
    ],
    # Rendering a draft's .docx: its drafter and their department's manager.
    "api:document_render": [
        check(
            "POST",
            lambda w: f"/api/v1/documents/{w.document.pk}/render/",
            outsider=404,
            involved=200,
            manager=200,
            admin=403,
        )
    ],
    # documents.rules.can has no rule for it: nobody (the page offers it to no one either).
    "api:document_processing_sheet": [
        check(
            "POST",
            lambda w: f"/api/v1/documents/{w.document.pk}/processing_sheet/",
            outsider=404,
            involved=403,
            manager=403,
            admin=403,
        )
    ],
    # 销售部's head reviews the department's documents: for a draft not yet submitted, the page says
    # "already handled, now a draft" (documents.rules.moved_on), and so does the API (409).
    "api:document_review": [
        check(
            "POST",
            lambda w: f"/api/v1/documents/{w.document.pk}/review/",
            data={"agree": "yes", "text": "同意"},
            outsider=404,
            involved=403,
            manager=409,
            admin=403,
            after=_document_still_a_draft,
        )
    ],
    "api:document_docx": [
        check(
            "GET",
            lambda w: f"/api/v1/documents/{w.issued.pk}/docx/",
            outsider=404,
            involved=200,
            manager=200,
            admin=200,
        ),
        check(
            "GET",
            lambda w: f"/api/v1/documents/{w.secret.pk}/docx/",
            as_involved="assignee",
            as_manager="purchasing_head",
            outsider=404,
            involved=404,
            manager=200,
            admin=404,
            read=200,
        ),
        # The member a 绝密 document was passed to reads it, takes no .docx (403); at 机密 they do.
        *[
            check(
                "GET",
                lambda w, level=level: f"/api/v1/documents/{w.classified(level).pk}/docx/",
                as_involved="purchasing_reader",
                as_manager="purchasing_head",
                outsider=404,
                involved=200 if level == "highly_secret" else 403,
                manager=200,
                admin=404,
            )
            for level in ("highly_secret", "top_secret")
        ],
        # A draft has no .docx yet.
        check(
            "GET",
            lambda w: f"/api/v1/documents/{w.document.pk}/docx/",
            outsider=404,
            involved=404,
            manager=404,
            admin=404,
        ),
    ],
    # Teams: a private team led by 销售部's head, the requester a member.
    "api:teams": [check("GET", lambda w: "/api/v1/teams/", **everyone(200))],
    "api:team": [
        check("GET", lambda w: f"/api/v1/teams/{w.team.pk}/", outsider=404, involved=200, manager=200, admin=200)
    ],
    "api:team_meetings": [
        check(
            "GET", lambda w: f"/api/v1/teams/{w.team.pk}/meetings/", outsider=404, involved=200, manager=200, admin=200
        )
    ],
    "api:team_action_items": [
        check(
            "GET",
            lambda w: f"/api/v1/teams/{w.team.pk}/action-items/",
            outsider=404,
            involved=200,
            manager=200,
            admin=200,
        )
    ],
    # The team pages' writes: its members contribute, its lead (销售部's head) and admins manage too.
    "api:team_readings": [
        check(
            "POST",
            lambda w: f"/api/v1/teams/{w.team.pk}/readings/",
            data=lambda w: {"value": "13", "measured_on": timezone.localdate().isoformat()},
            outsider=404,
            involved=201,
            manager=201,
            admin=201,
        )
    ],
    "api:team_meeting_add": [
        check(
            "POST",
            lambda w: f"/api/v1/teams/{w.team.pk}/meetings/new/",
            data={"starts_at": "2027-01-05T10:00", "minutes": 60},
            outsider=404,
            involved=403,
            manager=201,
            admin=201,
            after=_meetings_added_by("manager", "admin"),
        )
    ],
    "api:team_meeting_record": [
        check(
            "POST",
            lambda w: f"/api/v1/teams/{w.team.pk}/meetings/{w.meeting.pk}/record/",
            data={"minutes": "讨论了渠道", "held": True},
            outsider=404,
            involved=200,
            manager=200,
            admin=200,
        )
    ],
    "api:team_meeting_action_add": [
        check(
            "POST",
            lambda w: f"/api/v1/teams/{w.team.pk}/meetings/{w.meeting.pk}/action-items/",
            data=lambda w: {
                "title": "整理渠道清单",
                "owner": w.org.assignee.pk,
                "department": w.org.purchasing.pk,
                "due_on": "2027-01-12",
            },
            outsider=404,
            involved=201,
            manager=201,
            admin=201,
        )
    ],
    # The item's owner (采购部's member) or anyone who contributes.
    "api:team_action_done": [
        check(
            "POST",
            lambda w: f"/api/v1/teams/{w.team.pk}/action-items/{w.action_item.pk}/done/",
            as_involved="assignee",
            outsider=404,
            involved=200,
            manager=200,
            admin=200,
            after=_action_done_by("involved", "manager", "admin"),
        )
    ],
    # The team's lifecycle and plan: its lead (销售部's head) and admins; members may look at the plan.
    "api:team_start": [
        check(
            "POST",
            lambda w: f"/api/v1/teams/{w.team.pk}/start/",
            outsider=404,
            involved=403,
            manager=200,
            admin=200,
            after=_team_now("active", "manager", "admin"),
        )
    ],
    "api:team_complete": [
        check(
            "POST",
            lambda w: f"/api/v1/teams/{w.active_team.pk}/complete/",
            data={"comment": "份额到了15%"},
            outsider=404,
            involved=403,
            manager=200,
            admin=200,
            after=_team_now("completed", "manager", "admin", otherwise="active"),
        )
    ],
    "api:team_cancel": [
        check(
            "POST",
            lambda w: f"/api/v1/teams/{w.team.pk}/cancel/",
            data={"reason": "目标调整"},
            outsider=404,
            involved=403,
            manager=200,
            admin=200,
            after=_team_now("cancelled", "manager", "admin"),
        )
    ],
    "api:team_milestones": [
        check(
            "GET",
            lambda w: f"/api/v1/teams/{w.team.pk}/milestones/",
            outsider=404,
            involved=200,
            manager=200,
            admin=200,
        ),
        check(
            "POST",
            lambda w: f"/api/v1/teams/{w.team.pk}/milestones/",
            data=lambda w: {
                "title": "投放",
                "starts_on": w.team.starts_on.isoformat(),
                "due_on": w.team.deadline.isoformat(),
                "department": w.org.sales.pk,
            },
            outsider=404,
            involved=403,
            manager=201,
            admin=201,
        ),
    ],
    "api:team_milestone": [
        check(
            "PATCH",
            lambda w: f"/api/v1/teams/{w.team.pk}/milestones/{w.milestone.pk}/",
            data={"status": "done"},
            outsider=404,
            involved=403,
            manager=200,
            admin=200,
        ),
        check(
            "DELETE",
            lambda w: f"/api/v1/teams/{w.team.pk}/milestones/{w.milestone.pk}/",
            outsider=404,
            involved=403,
            manager=204,
            admin=204,
        ),
    ],
    # Conflicts: one about the world's request, between 销售部 and 采购部.
    "api:conflicts": [
        check("GET", lambda w: "/api/v1/conflicts/?scope=all", **everyone(200)),
        # Raising one about the world's request: the people involved in it and its departments' managers.
        check(
            "POST",
            lambda w: "/api/v1/conflicts/",
            data=lambda w: {
                "request": w.task.number,
                "subject": "付款条件争议",
                "departments": [w.org.sales.pk, w.org.purchasing.pk],
                "position": "预付三成",
            },
            outsider=404,
            involved=201,
            manager=201,
            admin=403,
            after=_conflicts_raised_only_by("involved", "manager"),
        ),
    ],
    "api:conflict": [
        check(
            "GET", lambda w: f"/api/v1/conflicts/{w.conflict.pk}/", outsider=404, involved=200, manager=200, admin=200
        )
    ],
    # The steps of the conflict page, on the world's conflict in negotiation: the requester raised it
    # (and speaks for 销售部), 销售部's head speaks for it too; nobody holds it yet, so nobody decides.
    "api:conflict_position": [
        _conflict_step("position", outsider=404, involved=200, manager=200, admin=403, moves=False)
    ],
    "api:conflict_propose": [
        _conflict_step("propose", outsider=404, involved=200, manager=200, admin=403, moves=False)
    ],
    # 采购部's head proposed first: 销售部 agreeing settles it.
    "api:conflict_agree": [
        check(
            "POST",
            _proposed_by_purchasing,
            outsider=404,
            involved=200,
            manager=200,
            admin=403,
            after=_conflict_now("resolved", "involved", "manager"),
        )
    ],
    "api:conflict_escalate": [
        _conflict_step("escalate", outsider=404, involved=200, manager=200, admin=403, moves="mediation")
    ],
    "api:conflict_decide": [_conflict_step("decide", outsider=404, involved=403, manager=403, admin=403, moves=False)],
    "api:conflict_withdraw": [
        _conflict_step("withdraw", outsider=404, involved=200, manager=403, admin=403, moves="withdrawn")
    ],
    # Notifications: each person's own.
    "api:notifications": [check("GET", lambda w: "/api/v1/notifications/", **everyone(200))],
    "api:notifications_read": [
        check("POST", lambda w: "/api/v1/notifications/read/", data={"ids": []}, **everyone(200))
    ],
}


class ApiWorld(World):
    """The pages' matrix world (tests/test_authorization_matrix.py) and what the API adds."""

    @cached_property
    def meeting(self):
        """A meeting of the team that began an hour ago (so it can be recorded as held)."""
        from teams import services as team_services

        return team_services.meeting_add(
            team=self.team, by=self.org.sales_head, starts_at=timezone.now() - timedelta(hours=1), minutes=60
        )

    @cached_property
    def action_item(self):
        from teams import services as team_services

        return team_services.action_add(
            meeting=self.meeting,
            by=self.org.sales_head,
            title="核对成本",
            owner=self.org.assignee,
            department=self.org.purchasing,
            due_on=timezone.localdate() + timedelta(days=7),
        )

    @cached_property
    def active_team(self):
        from teams import services as team_services

        return team_services.team_start(team=self.team, by=self.org.sales_head)

    @cached_property
    def milestone(self):
        from teams import services as team_services

        values = {"title": "渠道调研", "starts_on": self.team.starts_on, "due_on": self.team.deadline}
        values.update(department=self.org.sales, deliverable="", status="planned")
        return team_services.milestone_save(team=self.team, by=self.org.sales_head, values=values)

    @cached_property
    def _in_state(self) -> dict:
        return {}

    def request_in(self, state: str) -> Task:
        if state not in self._in_state:
            self._in_state[state] = _bring(self.org, state)
        return self._in_state[state]


def _bring(org, state: str) -> Task:
    purchase = RequestType.objects.get(code="purchase")
    task = task_services.task_create(
        by=org.requester, request_type=purchase, title=f"请求 {state}", values={"amount": 100}, submit=state != "draft"
    )
    if state in ("draft", "pending_approval"):
        return task
    if state == "rejected":
        return task_services.task_reject(task=task, by=org.sales_head, reason=Reason.POLICY)
    task = task_services.task_approve(task=task, by=org.sales_head)
    if state == "pending_acceptance":
        return task
    task = task_services.task_accept(task=task, by=org.purchasing_head, assignee=org.assignee)
    if state == "in_progress":
        return task
    if state == "on_hold":
        return task_services.task_hold(task=task, by=org.assignee, reason=Reason.WAITING_REQUESTER)
    task = task_services.task_finish(task=task, by=org.assignee)
    assert state == "pending_verification", state
    return task


@pytest.fixture
def world(org, purchase, support, settings, tmp_path):
    from conflicts import services as conflict_services
    from teams import services as team_services
    from tests.teams.conftest import team_values

    settings.MEDIA_ROOT = str(tmp_path / "media")
    w = ApiWorld(**vars(build_world(org)))
    w.team = team_services.team_create(
        by=org.sales_head,
        values=team_values(private=True),
        members=[(org.requester, org.sales, "市场调研"), (org.assignee, org.purchasing, "成本核算")],
    )
    w.conflict = conflict_services.conflict_raise(
        by=org.requester,
        task=w.task,
        departments=[org.sales, org.purchasing],
        subject="交货期争议",
        position="两周内交货",
    )
    return w


def _api_routes():
    return {key: route for key, route, _cb in url_pattern_names() if route.lstrip("^").startswith("api/")}


def test_every_api_address_has_an_entry():
    missing = sorted(set(_api_routes()) - set(ENTRIES))
    assert not missing, f"add these to ENTRIES in {__file__}: {missing}"
    assert not set(ENTRIES) - set(_api_routes()), "an entry for an address that is gone"


def _user(w, entry: ApiCheck, persona: str):
    if persona in ("anonymous",):
        return None
    if persona == "read":
        involved_ok = 200 <= entry.expect["involved"] < 300
        return getattr(w.org, entry.as_involved if involved_ok else entry.as_manager)
    return {
        "outsider": w.org.outsider,
        "involved": getattr(w.org, entry.as_involved),
        "manager": getattr(w.org, entry.as_manager),
        "admin": w.org.admin,
    }[persona]


CASES = [
    pytest.param(key, index, persona, id=f"{key}[{index}]-{persona}")
    for key, entries in ENTRIES.items()
    for index, _entry in enumerate(entries)
    for persona in PERSONAS
]


@pytest.mark.parametrize("key, index, persona", CASES)
def test_api_matrix(key, index, persona, world):
    from tests.conftest import login

    entry = ENTRIES[key][index]
    user = _user(world, entry, persona)
    client = APIClient()
    if user is not None and entry.session and persona != "read":
        login(client, user)
    elif user is not None:
        _token, secret = token_create(
            user=user, name="matrix", scope="read" if persona == "read" else "act", expires_in_days=1
        )
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    url = entry.url(world)
    data = entry.data(world) if callable(entry.data) else (entry.data or {})
    if entry.method == "GET":
        response = client.get(url, data)
    else:
        send = getattr(client, entry.method.lower())
        response = send(url, data, format="multipart" if entry.multipart else "json")
    expected = entry.expect[persona]
    assert response.status_code == expected, (entry.method, url, persona, response.status_code, response.content[:300])
    if response.status_code >= 400 and response.get("Content-Type", "").startswith("application/json"):
        assert set(response.json()) == {"code", "message", "fields"}, response.json()
    if persona in ("involved", "manager") and response.status_code == 200 and "json" in response["Content-Type"]:
        # IDOR: nothing of 人事's request or document shows to people of 销售部 or 采购部.
        body = response.content.decode()
        if getattr(world.org, entry.as_involved if persona == "involved" else entry.as_manager) != world.org.outsider:
            assert world.foreign.number not in body and world.foreign_document.title not in body
    if entry.after:
        entry.after(world, persona, response)


def test_expired_and_revoked_tokens_are_401(org):
    from api.services import token_revoke

    token, secret = token_create(user=org.requester, name="old", scope="act", expires_in_days=1)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get("/api/v1/requests/").status_code == 200
    token.expires_at = timezone.now() - timedelta(seconds=1)
    token.save()
    expired = client.get("/api/v1/requests/")
    assert expired.status_code == 401 and expired.json()["code"] == "authentication_failed"
    assert expired["WWW-Authenticate"].startswith("Bearer")
    token.expires_at = timezone.now() + timedelta(days=1)
    token.save()
    token_revoke(token=token, by=org.requester)
    assert client.get("/api/v1/requests/").status_code == 401
    for header in ("Bearer", "Bearer a b", "Bearer nope", "Bearer \u00e9t\u00e9", "Bearer " + "x" * 5000):
        client.credentials(HTTP_AUTHORIZATION=header)
        response = client.get("/api/v1/requests/")
        assert response.status_code == 401, header
        assert set(response.json()) == {"code", "message", "fields"}


def test_an_inactive_persons_token_is_401(org):
    _token, secret = token_create(user=org.requester, name="x", scope="act", expires_in_days=1)
    org.requester.is_active = False
    org.requester.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get("/api/v1/requests/").status_code == 401


def test_mark_read_touches_only_the_callers_notices(org, in_state):
    from notifications.models import Notification

    in_state("pending_approval")  # tells 销售部's head there is a request to approve
    theirs = list(Notification.objects.filter(recipient=org.sales_head).values_list("pk", flat=True))
    assert theirs
    _token, secret = token_create(user=org.outsider, name="x", scope="act", expires_in_days=1)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.post("/api/v1/notifications/read/", {"ids": theirs}, format="json").json() == {"marked": 0}
    assert not Notification.objects.filter(pk__in=theirs, read_at__isnull=False).exists()
    for bad in ({"ids": "x"}, {"ids": [2**70]}, {"ids": [True]}, [1]):
        assert client.post("/api/v1/notifications/read/", bad, format="json").status_code == 400


def test_a_day_is_not_a_team(org):
    _token, secret = token_create(user=org.outsider, name="x", scope="read", expires_in_days=1)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    for url in ("/api/v1/teams/99999999999999999999999/", "/api/v1/documents/x/", "/api/v1/conflicts/-1/"):
        assert client.get(url).status_code == 404, url
