"""Who gets what, for every URL of the project.

`MATRIX` has one entry per URL pattern name ("namespace:name"); the first test walks the URL
resolver and fails for a pattern with no entry, so a new page cannot ship without saying who may
see it. Each entry is a list of `Check`s: a method, a URL built from the `World` (a small
organisation with one request, one draft and one document in known states), optional POST data,
and the status each persona gets:

    anonymous  not logged in                     (LOGIN: redirected to the login page)
    outsider   an employee of 人力资源部, unrelated to everything in the world
    involved   the person the object concerns    (the requester by default; `involved=` names another)
    manager    the manager concerned             (销售部's head by default; `manager=` names another)
    admin      a superuser with no department

To add your pages: build what they need in `World` (or in `build_world`), then add an entry:

    "teams:detail": [get(lambda w: f"/teams/{w.team.pk}/", outsider=404, involved=200, manager=200, admin=200)],

Anything that needs a closer look (state unchanged after a refused POST, IDOR across objects)
goes in `after=` or in a test of its own below.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from core import rendering
from documents import services as document_services
from documents.models import Document
from tasks import services as task_services
from tasks.models import Task
from tests.conftest import login
from tests.tasks.conftest import finance, purchase, support  # noqa: F401  (fixtures used by `world`)

pytestmark = pytest.mark.django_db

LOGIN = "login"  # anonymous: a redirect to the login page
PERSONAS = ("anonymous", "outsider", "involved", "manager", "admin")

# Patterns that need no entry, and why.
SKIPPED_PREFIXES = {
    "api/": "the REST API answers JSON (401, not a login redirect) and has its own half of this matrix in "
    "tests/api/test_authorization_matrix.py",
    "admin/": "Django's admin: its own staff check (admin_view) guards every page; tested in tests/departments/"
    "test_admin.py",
}
SKIPPED_ROUTES = {
    "static/": "static files are served by whitenoise, not by a view (and only with DEBUG by staticfiles)",
    "media/": "media is never served by URL; files go through permission-checked download views",
}


@dataclass
class Check:
    method: str
    url: Callable[[SimpleNamespace], str]
    expect: dict[str, int | str]
    data: Callable[[SimpleNamespace], dict] | None = None
    as_involved: str = "requester"
    as_manager: str = "sales_head"
    htmx: bool = False
    after: Callable[[SimpleNamespace, str, object], None] | None = None
    label: str = ""


def _check(method, url, *, anonymous=LOGIN, outsider, involved, manager, admin, **options) -> Check:
    expect = {"anonymous": anonymous, "outsider": outsider, "involved": involved, "manager": manager, "admin": admin}
    return Check(method=method, url=url, expect=expect, **options)


def get(url, **kwargs) -> Check:
    return _check("GET", url, **kwargs)


def post(url, **kwargs) -> Check:
    return _check("POST", url, **kwargs)


def everyone(status: int, anonymous=LOGIN) -> dict:
    return {"anonymous": anonymous, "outsider": status, "involved": status, "manager": status, "admin": status}


# The world: what the checks act on.


class World(SimpleNamespace):
    """What the checks act on. The issued document and its .docx are made on first use only
    (the render is the slowest part of the world), so checks that do not need them stay fast."""

    @cached_property
    def issued(self):
        org = self.org
        issued = document_services.document_create(
            by=org.requester,
            kind="notice",
            title="关于安全检查的通知",
            recipients="各部门",
            body="请做好安全检查。",
            recipient_departments=[org.purchasing],
        )
        document_services.document_submit(document=issued, by=org.requester)
        document_services.document_review(document=issued, by=org.sales_head, agree=True, text="同意")
        with TestCase.captureOnCommitCallbacks(execute=True):  # the render runs in the (eager) worker
            document_services.document_sign_off(document=issued, by=org.leader, text="同意印发")
        issued.refresh_from_db()
        return issued

    @cached_property
    def secret(self):
        """A 秘密 document of 销售部, distributed to 采购部, whose head passed it to one member
        (`purchasing_reader`) and not to another (`assignee`); with an attachment and its .docx."""
        return self.classified("secret")

    def classified(self, level: str):
        """A document of `level` (秘密, 机密 or 绝密) made as `secret` is, once per level."""
        made = self.__dict__.setdefault("_classified", {})
        if level not in made:
            made[level] = _distributed_classified(self.org, level)
        return made[level]

    @cached_property
    def secret_job(self):
        return self.classified_job("secret")

    def classified_job(self, level: str):
        job = rendering.latest(self.classified(level), "document")
        assert job.status == "ready", job.status
        return job

    @cached_property
    def approve_link(self):
        """The path of 销售部's head's decision link to approve the request, as their e-mail has it."""
        from urllib.parse import urlsplit

        from notifications import decisions

        (_label, url), *_ = decisions.issue(self.org.sales_head, self.task, ["approve"])
        return urlsplit(url).path

    @cached_property
    def job(self):
        job = rendering.latest(self.issued, "document")
        assert job.status == "ready", job.status
        return job

    @cached_property
    def job_with_pdf(self):
        """The issued document's file with a PDF beside it (LibreOffice stays off in the suite)."""
        from django.core.files.base import ContentFile

        job = self.job
        job.pdf.save("issued.pdf", ContentFile(b"%PDF-1.7\n%%EOF\n"))
        return job

    @cached_property
    def confidential(self):
        """A confidential request of `requester` to 采购部 with a .docx: of 采购部 only its managers
        see it, not its member `assignee` (who would see an ordinary one)."""
        from tasks.models import RequestType
        from tests.samples import SAMPLES

        org = self.org
        task = task_services.task_create(
            by=org.requester,
            request_type=RequestType.objects.get(code="purchase"),
            title="涉密采购",
            values={"amount": 500},
            confidential=True,
            submit=True,
            attachments=[SimpleUploadedFile("方案.docx", SAMPLES["docx"]())],
        )
        return task

    def converted(self, source, kind: str):
        """The PDF a worker made of an upload (LibreOffice stays off in the suite: a stand-in)."""
        from django.contrib.contenttypes.models import ContentType
        from django.core.files.base import ContentFile

        from core.models import GeneratedFile

        job = GeneratedFile.objects.create(
            content_type=ContentType.objects.get_for_model(source),
            object_id=source.pk,
            kind=kind,
            version="pdf",
            status=GeneratedFile.Status.READY,
        )
        job.pdf.save(f"{kind}-{source.pk}.pdf", ContentFile(b"%PDF-1.7\n%%EOF\n"))
        return job

    @cached_property
    def attachment_pdf(self):
        return self.converted(self.attachment, "task_attachment")

    @cached_property
    def confidential_attachment(self):
        return self.confidential.attachments.get()

    @cached_property
    def confidential_pdf(self):
        return self.converted(self.confidential_attachment, "task_attachment")

    @cached_property
    def secret_attachment_pdf(self):
        return self.converted(self.secret.attachments.get(), "document_attachment")

    @cached_property
    def incoming_pdf(self):
        return self.converted(self.incoming, "incoming_file")


def _distributed_classified(org, level: str):
    document = document_services.document_create(
        by=org.requester,
        kind="notice",
        title="关于调价的秘密通知",
        recipients="采购部",
        body="调价方案。",
        secrecy=level,
        recipient_departments=[org.purchasing],
        attachments=[SimpleUploadedFile("价目表.txt", b"prices")],
    )
    document_services.document_submit(document=document, by=org.requester)
    document_services.document_review(document=document, by=org.sales_head, agree=True, text="同意")
    with TestCase.captureOnCommitCallbacks(execute=True):
        document_services.document_sign_off(document=document, by=org.leader, text="同意印发")
    document.refresh_from_db()
    document_services.document_distribute(document=document, by=org.requester)
    document_services.document_pass_to(document=document, by=org.purchasing_head, people=[org.purchasing_reader])
    document.refresh_from_db()
    return document


def build_world(org) -> "World":
    from tasks.models import RequestType

    purchase_type = RequestType.objects.get(code="purchase")
    support_type = RequestType.objects.get(code="support")
    # A purchase request by `requester` (销售部) to 采购部, waiting for 销售部's head, with a file.
    task = task_services.task_create(
        by=org.requester, request_type=purchase_type, title="买十台电脑", values={"amount": 500}, submit=True
    )
    task_services.task_comment(
        task=task, by=org.requester, body="报价单", attachments=[SimpleUploadedFile("quote.txt", b"price list")]
    )
    attachment = task.attachments.get()
    # A draft by `requester`, and somebody else's request the requester has nothing to do with.
    draft = task_services.task_create(by=org.requester, request_type=support_type, title="草稿", submit=False)
    foreign = task_services.task_create(by=org.outsider, request_type=support_type, title="人事咨询", submit=True)
    task_services.task_comment(
        task=foreign, by=org.outsider, body="", attachments=[SimpleUploadedFile("secret.txt", b"salaries")]
    )
    foreign_attachment = foreign.attachments.get()
    # A document drafted by `requester` (销售部), still a draft; and an issued one with its .docx.
    document = document_services.document_create(
        by=org.requester,
        kind="notice",
        title="关于年终盘点的通知",
        recipients="各部门",
        body="请于月底前完成盘点。",
        recipient_departments=[org.purchasing],
        attachments=[SimpleUploadedFile("盘点表.txt", b"inventory")],
    )
    foreign_document = document_services.document_create(
        by=org.outsider, kind="notice", title="人事通知", recipients="人力资源部", body="内部事项。"
    )
    delegation = _delegation(org)
    # A member of 采购部 a classified document is passed to (World.secret).
    from tests.factories import MembershipFactory, UserFactory

    org.purchasing_reader = UserFactory(username="purchasing_reader", display_name="周六")
    MembershipFactory(user=org.purchasing_reader, department=org.purchasing)
    # A member of 销售部 in the records office group, which may place and lift legal holds.
    from django.contrib.auth.models import Group, Permission

    records_office = Group.objects.create(name="档案室")
    records_office.permissions.add(Permission.objects.get(codename="manage_legal_hold"))
    org.records_officer = UserFactory(username="records_officer", display_name="档案员", is_staff=True)
    org.records_officer.groups.add(records_office)
    MembershipFactory(user=org.records_officer, department=org.sales)
    from api.services import token_create

    token, _secret = token_create(user=org.requester, name="ERP", scope="read", expires_in_days=30)
    # A received document (收文) 销售部's deputy, given the right to, registered and routed to 采购部.
    from django.contrib.auth.models import Permission

    org.sales_deputy.user_permissions.add(Permission.objects.get(codename="add_incomingdocument"))
    # The 机要 office: a member of 人力资源部 granted view_classified (reads 秘密 and 机密, not 绝密).
    org.registry_clerk = UserFactory(username="registry_clerk", display_name="机要员")
    MembershipFactory(user=org.registry_clerk, department=org.hr)
    org.registry_clerk.user_permissions.add(Permission.objects.get(codename="view_classified"))
    incoming = document_services.incoming_register(
        by=org.sales_deputy,
        title="关于安全检查的来文",
        source="市应急管理局",
        file=SimpleUploadedFile("来文.pdf", b"%PDF-1.4"),
        departments=[org.purchasing],
    )
    return World(
        incoming=incoming,
        document_attachment=document.attachments.get(),
        org=org,
        task=task,
        attachment=attachment,
        draft=draft,
        foreign=foreign,
        foreign_attachment=foreign_attachment,
        document=document,
        foreign_document=foreign_document,
        delegation=delegation,
        token=token,
    )


def _delegation(org):
    from departments.services import delegation_create

    today = timezone.localdate()
    return delegation_create(
        by=org.sales_head, delegate=org.sales_deputy, starts_on=today, ends_on=today + timedelta(3)
    )


@pytest.fixture
def world(org, purchase, support, settings, tmp_path):  # noqa: F811
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return build_world(org)


def _approved_by_link_owner_only(w, persona):
    state = Task.objects.get(pk=w.task.pk).state
    assert state == ("pending_acceptance" if persona == "manager" else "pending_approval"), (persona, state)


def _state_unchanged(w, persona, response):
    """A refused POST changed nothing."""
    assert Task.objects.get(pk=w.task.pk).state == "pending_approval", persona


def _approved_only_by_manager(w, persona, response):
    state = Task.objects.get(pk=w.task.pk).state
    assert state == ("pending_acceptance" if persona == "manager" else "pending_approval"), persona


# A 秘密 document distributed to 采购部: its head (manager) and the member it was passed to
# (involved=purchasing_reader) read it; another member of 采购部 (involved=assignee), an outsider
# and an admin who is not named get a 404 on every URL of it.
SECRET_PAGE = {"outsider": 404, "involved": 404, "manager": 200, "admin": 404}
SECRET_NAMED = {"as_involved": "purchasing_reader", "as_manager": "requester"}
SECRET_UNNAMED = {"as_involved": "assignee", "as_manager": "purchasing_head"}


def secret_checks(url, **extra) -> list[Check]:
    return [
        get(url, **SECRET_PAGE, **SECRET_UNNAMED, label="秘密: a recipient member not passed it", **extra),
        get(url, outsider=404, involved=200, manager=200, admin=404, **SECRET_NAMED, label="秘密: passed / drafter"),
    ]


# 机密 and 绝密 follow every rule of 秘密; at 绝密 the 机要 office (registry_clerk) reads only when
# named, and the member it was passed to reads the page but takes no file (documents.rules).
HIGHER_LEVELS = ("highly_secret", "top_secret")


def level_checks(path, *, top_secret_passed: int = 200) -> list[Check]:
    """`path(w, document)` at 机密 and 绝密: a recipient member not passed it 404, the recipient
    head 200; the member it was passed to 200 (the page) or, for a file at 绝密,
    `top_secret_passed`: 403 (404 for the rendering service's files, whose builder says who may
    see them);
    the drafter 200; the 机要 office 200 at 机密, 404 at 绝密."""
    checks = []
    for level in HIGHER_LEVELS:

        def url(w, level=level):
            return path(w, w.classified(level))

        passed = top_secret_passed if level == "top_secret" else 200
        checks += [
            get(url, **SECRET_PAGE, **SECRET_UNNAMED, label=f"{level}: a recipient member not passed it"),
            get(url, outsider=404, involved=passed, manager=200, admin=404, **SECRET_NAMED, label=f"{level}: passed"),
            get(
                url,
                as_manager="registry_clerk",
                outsider=404,
                involved=200,  # the drafter
                manager=200 if level == "highly_secret" else 404,
                admin=404,
                label=f"{level}: the 机要 office",
            ),
        ]
    return checks


def _unacknowledged(level):
    def after(w, persona, response):
        from documents.models import Acknowledgement

        ack = Acknowledgement.objects.get(document=w.classified(level))
        assert ack.at is None, (level, persona)

    return after


def _document_submitted_only_by_drafter(w, persona, response):
    state = Document.objects.get(pk=w.document.pk).state
    assert state == ("reviewing" if persona == "involved" else "draft"), persona


def _number_still_issued(w):
    from documents.models import DocumentNumber

    assert DocumentNumber.objects.get(pk=w.issued.number_id).status == "issued"


def _filing(w):
    return {"title": "打印纸", "description": "", "f_amount": "300", "priority": "2", "token": "", "action": "submit"}


# The matrix: one entry per URL pattern name.

MATRIX: dict[str, list[Check]] = {
    # collab_portal
    "home": [get(lambda w: "/", **everyone(200))],
    "healthz": [
        # No login (load balancers); 503 here because no worker heartbeat was recorded in the test.
        get(lambda w: "/healthz/", **everyone(503, anonymous=503)),
    ],
    "favicon": [get(lambda w: "/favicon.ico", **everyone(302, anonymous=302))],
    "set_language": [
        post(lambda w: "/i18n/setlang/", data=lambda w: {"language": "en"}, **everyone(302, anonymous=302))
    ],
    "login": [get(lambda w: "/accounts/login/", **everyone(302, anonymous=200))],
    "logout": [
        get(lambda w: "/accounts/logout/", **everyone(405, anonymous=405)),
        post(lambda w: "/accounts/logout/", **everyone(302, anonymous=302)),
    ],
    "password_change": [get(lambda w: "/accounts/password/", **everyone(200))],
    "password_change_done": [get(lambda w: "/accounts/password/done/", **everyone(200))],
    # Two-step verification: one's own only. The QR code exists while an authenticator is being set
    # up; the code page sends someone with no authenticator to set one up.
    "two_step": [get(lambda w: "/accounts/two-step/", **everyone(200))],
    "two_step_qr": [get(lambda w: "/accounts/two-step/qr.svg", **everyone(404))],
    "two_step_verify": [get(lambda w: "/accounts/two-step/verify/", **everyone(302))],
    # OpenID Connect's two steps: 404 while no provider is configured (tests/accounts test them with one).
    "oidc_authentication_init": [get(lambda w: "/accounts/oidc/start/", **everyone(404, anonymous=404))],
    "oidc_authentication_callback": [get(lambda w: "/accounts/oidc/callback/", **everyone(404, anonymous=404))],
    # departments
    "departments:directory": [get(lambda w: "/departments/", **everyone(200))],
    "departments:department": [
        get(lambda w: "/departments/sales/", **everyone(200)),
        get(lambda w: "/departments/no-such-department/", **everyone(404)),
    ],
    # the people pickers' suggestions: the directory's people, for everyone signed in
    "departments:find_people": [get(lambda w: "/people/?q=s", **everyone(200))],
    # the department pickers' suggestions: the directory's departments, for everyone signed in
    "departments:find_departments": [get(lambda w: "/find/departments/?q=s", **everyone(200))],
    "departments:person": [
        get(lambda w: "/people/requester/", **everyone(200)),
        get(lambda w: "/people/nobody-here/", **everyone(404)),
    ],
    "handover:page": [
        # The person's managers and admins hand over their work; nobody hands over their own.
        get(lambda w: "/people/requester/handover/", outsider=403, involved=403, manager=200, admin=200),
        post(lambda w: "/people/requester/handover/", outsider=403, involved=403, manager=200, admin=200),
        get(lambda w: "/people/nobody-here/handover/", outsider=404, involved=404, manager=404, admin=404),
    ],
    "departments:me": [get(lambda w: "/me/", **everyone(302))],  # to the person's own page
    "departments:profile_edit": [get(lambda w: "/me/edit/", **everyone(200))],
    "departments:delegation_new": [
        get(lambda w: "/me/delegations/new/", outsider=200, involved=200, manager=200, admin=200),
    ],
    "departments:delegation_end": [
        # Only the delegator ends their delegation; for anyone else it does not exist.
        post(lambda w: f"/me/delegations/{w.delegation.pk}/end/", outsider=404, involved=404, manager=302, admin=404),
    ],
    # api: the person's API tokens (the API itself: tests/api/test_authorization_matrix.py)
    "api:token_new": [
        get(lambda w: "/me/tokens/new/", **everyone(200)),
        # The answer is the page showing the new secret once.
        post(lambda w: "/me/tokens/new/", data=lambda w: {"name": "x", "scope": "read"}, **everyone(200)),
    ],
    "api:token_revoke": [
        # One's own token, or anyone's for an admin; for anyone else it does not exist.
        post(lambda w: f"/me/tokens/{w.token.pk}/revoke/", outsider=404, involved=302, manager=404, admin=302),
    ],
    # tasks: filing
    "tasks:new": [get(lambda w: "/requests/new/", **everyone(200))],
    "tasks:file": [
        get(lambda w: "/requests/new/purchase/", **everyone(200)),
        get(lambda w: "/requests/new/no-such-type/", **everyone(404)),
        # Anyone with a department may file; the admin belongs to none and gets the form back with the reason.
        post(
            lambda w: "/requests/new/purchase/",
            data=_filing,
            outsider=302,
            involved=302,
            manager=302,
            admin=200,
        ),
    ],
    "tasks:preview": [post(lambda w: "/requests/new/purchase/preview/", data=_filing, **everyone(200))],
    "tasks:edit": [
        # A draft is its requester's alone: for anyone else, their head and admins included, it does not exist.
        get(lambda w: f"/requests/{w.draft.number}/edit/", outsider=404, involved=200, manager=404, admin=404),
        # Once submitted it cannot be edited, by anyone.
        get(lambda w: f"/requests/{w.task.number}/edit/", outsider=404, involved=403, manager=403, admin=403),
    ],
    # tasks: the request page and its actions
    "tasks:detail": [
        get(lambda w: f"/requests/{w.task.number}/", outsider=404, involved=200, manager=200, admin=200),
        get(
            lambda w: f"/requests/{w.task.number}/",
            as_manager="purchasing_head",
            outsider=404,
            involved=200,
            manager=200,
            admin=200,
            label="target department's head",
        ),
        get(lambda w: "/requests/REQ-0000-99999/", **everyone(404)),
    ],
    "tasks:act": [
        post(
            lambda w: f"/requests/{w.task.number}/do/approve/",
            data=lambda w: {"opinion": "同意"},
            outsider=404,
            involved=302,  # "You cannot approve your own request." as a message; nothing changes
            manager=302,
            admin=403,
            after=_approved_only_by_manager,
        ),
        post(
            lambda w: f"/requests/{w.task.number}/do/add_approver/",
            data=lambda w: {"person": w.org.leader.pk, "position": "after", "comment": "请郑总把关"},
            outsider=404,
            involved=302,  # "You cannot approve your own request." as a message; nothing changes
            manager=302,
            admin=403,
            label="加签",
        ),
        post(
            lambda w: f"/requests/{w.task.number}/do/forward/",
            data=lambda w: {"person": w.org.sales_deputy.pk, "comment": "出差"},
            outsider=404,
            involved=302,
            manager=302,
            admin=403,
            label="转签",
        ),
        post(
            lambda w: f"/requests/{w.task.number}/do/accept/",
            data=lambda w: {"assignee": w.org.assignee.pk},
            as_manager="purchasing_head",
            # Not yet approved: everyone who can see it gets the "not in this state" message, nothing changes.
            outsider=404,
            involved=302,
            manager=302,
            admin=302,
            label="accept before approval",
            after=_state_unchanged,
        ),
        post(
            lambda w: f"/requests/{w.task.number}/do/comment/",
            data=lambda w: {"body": "请尽快"},
            outsider=404,
            involved=302,
            manager=302,
            admin=302,
        ),
        post(lambda w: f"/requests/{w.task.number}/do/explode/", **everyone(404)),
    ],
    "tasks:attachment_preview": [
        get(
            lambda w: f"/requests/{w.task.number}/files/{w.attachment.pk}/preview/",
            outsider=404,
            involved=200,
            manager=200,
            admin=200,
        ),
        # IDOR: another request's file under this request's number.
        get(lambda w: f"/requests/{w.task.number}/files/{w.foreign_attachment.pk}/preview/", **everyone(404)),
        # A confidential request's .docx: a member of the target department who is not involved
        # gets a 404, as on the request itself.
        get(
            lambda w: f"/requests/{w.confidential.number}/files/{w.confidential_attachment.pk}/preview/",
            as_involved="assignee",
            outsider=404,
            involved=404,
            manager=200,
            admin=200,
            label="confidential: a member of the target department",
        ),
        get(
            lambda w: f"/requests/{w.confidential.number}/files/{w.confidential_attachment.pk}/preview/",
            outsider=404,
            involved=200,
            manager=200,
            admin=200,
            label="confidential: its requester",
        ),
    ],
    "tasks:download": [
        get(
            lambda w: f"/requests/{w.task.number}/files/{w.attachment.pk}/",
            outsider=404,
            involved=200,
            manager=200,
            admin=200,
        ),
        # IDOR: another request's file under this request's number.
        get(lambda w: f"/requests/{w.task.number}/files/{w.foreign_attachment.pk}/", **everyone(404)),
    ],
    "tasks:request_form": [
        post(lambda w: f"/requests/{w.task.number}/form/", outsider=404, involved=302, manager=302, admin=302),
        post(lambda w: f"/requests/{w.foreign.number}/form/", outsider=302, involved=404, manager=404, admin=302),
    ],
    # Following: whoever may see the request (admins see every submitted one).
    "tasks:follow": [
        post(lambda w: f"/requests/{w.task.number}/follow/", outsider=404, involved=302, manager=302, admin=302),
        post(lambda w: f"/requests/{w.foreign.number}/follow/", outsider=302, involved=404, manager=404, admin=302),
    ],
    "tasks:mentions": [
        get(lambda w: f"/requests/{w.task.number}/mentions/?q=s", outsider=404, involved=200, manager=200, admin=200)
    ],
    "tasks:inbox": [
        get(
            lambda w: "/requests/inbox/",
            as_manager="purchasing_head",
            outsider=403,
            involved=403,
            manager=200,
            admin=403,
        ),
    ],
    "tasks:workload": [
        # A department's workload: its managers only; another department's is not found (nothing leaks).
        get(
            lambda w: "/requests/inbox/workload/purchasing/",
            as_manager="purchasing_head",
            outsider=404,
            involved=404,
            manager=200,
            admin=404,
        ),
        get(lambda w: "/requests/inbox/workload/purchasing/", outsider=404, involved=404, manager=404, admin=404),
    ],
    "tasks:bulk": [
        # Only what the user may approve is approved; the rest is reported, never a 403 that hides the others.
        post(
            lambda w: "/requests/bulk/approve/",
            data=lambda w: {"ids": [w.task.pk]},
            after=_approved_only_by_manager,
            **everyone(302),
        ),
        # An unknown action is 404, except for someone who sees none of the ids: "select at least one".
        post(
            lambda w: "/requests/bulk/explode/",
            data=lambda w: {"ids": [w.task.pk]},
            outsider=302,
            involved=404,
            manager=404,
            admin=404,
            after=_state_unchanged,
        ),
    ],
    "tasks:list": [
        get(lambda w: "/requests/list/mine/", **everyone(200)),
        get(lambda w: "/requests/list/all/", **everyone(200)),
        get(lambda w: "/requests/list/approvals/", **everyone(200)),
        get(lambda w: "/requests/list/assigned/", **everyone(200)),
        get(lambda w: "/requests/list/everything/", **everyone(404)),
    ],
    # notifications
    "notifications:list": [get(lambda w: "/notifications/", **everyone(200))],
    "notifications:read": [post(lambda w: "/notifications/read/", **everyone(302))],
    "notifications:settings": [get(lambda w: "/notifications/settings/", **everyone(200))],
    # A decision link works for the person it was sent to only (the manager here); anyone else
    # is told it was sent to someone else, and nothing changes.
    "notifications:decide": [
        get(lambda w: w.approve_link, outsider=403, involved=403, manager=200, admin=403),
        post(
            lambda w: w.approve_link,
            data=lambda w: {"decision": "approve", "opinion": "同意"},
            outsider=403,
            involved=403,
            manager=302,
            admin=403,
            after=lambda w, persona, response: _approved_by_link_owner_only(w, persona),
        ),
    ],
    # documents
    "documents:list": [
        get(lambda w: "/documents/", **everyone(200)),
        get(lambda w: "/documents/?scope=all", **everyone(200)),
    ],
    "documents:new": [get(lambda w: "/documents/new/", **everyone(200))],
    "documents:detail": [
        get(lambda w: f"/documents/{w.document.pk}/", outsider=404, involved=200, manager=200, admin=200),
        get(
            lambda w: f"/documents/{w.document.pk}/",
            as_manager="purchasing_head",
            outsider=404,
            involved=200,
            manager=404,
            admin=200,
            label="a recipient department's head, before distribution",
        ),
        get(lambda w: f"/documents/{w.issued.pk}/", outsider=404, involved=200, manager=200, admin=200),
        get(lambda w: "/documents/999999/", **everyone(404)),
        *secret_checks(lambda w: f"/documents/{w.secret.pk}/"),
        *level_checks(lambda w, d: f"/documents/{d.pk}/"),
    ],
    "documents:pass_to": [
        # The recipient department's head passes it on; a member it was passed to may not pass
        # it further (403); one who may not see it gets a 404.
        post(
            lambda w: f"/documents/{w.secret.pk}/pass/",
            data=lambda w: {"people": [w.org.assignee.pk]},
            **SECRET_UNNAMED,
            outsider=404,
            involved=404,
            manager=302,
            admin=404,
        ),
        post(
            lambda w: f"/documents/{w.secret.pk}/pass/",
            data=lambda w: {"people": [w.org.assignee.pk]},
            as_involved="purchasing_reader",
            outsider=404,
            involved=403,
            manager=302,  # 销售部's head: the drafting department's manager, named by role
            admin=404,
        ),
        # 绝密: the recipient head passes it on; the drafting department's head (named by role)
        # and the member it was passed to may not (403).
        post(
            lambda w: f"/documents/{w.classified('top_secret').pk}/pass/",
            data=lambda w: {"people": [w.org.assignee.pk]},
            as_involved="purchasing_reader",
            as_manager="purchasing_head",
            outsider=404,
            involved=403,
            manager=302,
            admin=404,
        ),
        post(
            lambda w: f"/documents/{w.classified('top_secret').pk}/pass/",
            data=lambda w: {"people": [w.org.sales_deputy.pk]},
            as_involved="requester",
            as_manager="sales_head",
            outsider=404,
            involved=403,
            manager=403,
            admin=404,
        ),
        # An ordinary document is not passed: everyone who may see it already does.
        post(
            lambda w: f"/documents/{w.document.pk}/pass/",
            data=lambda w: {"people": [w.org.sales_deputy.pk]},
            outsider=404,
            involved=403,
            manager=403,
            admin=403,
        ),
    ],
    "documents:edit": [
        get(lambda w: f"/documents/{w.document.pk}/edit/", outsider=404, involved=200, manager=403, admin=403),
        get(lambda w: f"/documents/{w.issued.pk}/edit/", outsider=404, involved=403, manager=403, admin=403),
        get(
            lambda w: f"/documents/{w.secret.pk}/edit/",
            **SECRET_UNNAMED,
            outsider=404,
            involved=404,
            manager=403,
            admin=404,
        ),
    ],
    "documents:act": [
        post(
            lambda w: f"/documents/{w.document.pk}/do/submit/",
            outsider=404,
            involved=302,
            manager=403,
            admin=403,
            after=_document_submitted_only_by_drafter,
        ),
        post(lambda w: f"/documents/{w.document.pk}/do/explode/", **everyone(404)),
        # 签收 of a 秘密 document: its recipient department's head; a member not passed it never sees it.
        post(
            lambda w: f"/documents/{w.secret.pk}/do/acknowledge/",
            **SECRET_UNNAMED,
            outsider=404,
            involved=404,
            manager=302,
            admin=404,
        ),
        # ... and not the member it was passed to (403), at every level: they read it only.
        *[
            post(
                lambda w, level=level: f"/documents/{w.classified(level).pk}/do/acknowledge/",
                as_involved="purchasing_reader",
                as_manager="purchasing_head",
                outsider=404,
                involved=403,
                manager=302,
                admin=404,
                after=lambda w, persona, response, level=level: (
                    persona == "manager" or _unacknowledged(level)(w, persona, response)
                ),
                label=f"{level}: 签收 by the head only",
            )
            for level in ("secret", *HIGHER_LEVELS)
        ],
    ],
    "documents:attachment_preview": [
        get(
            lambda w: f"/documents/{w.document.pk}/attachments/{w.document_attachment.pk}/preview/",
            outsider=404,
            involved=200,
            manager=200,
            admin=200,
        ),
        # IDOR: the attachment under another document's id.
        get(
            lambda w: f"/documents/{w.foreign_document.pk}/attachments/{w.document_attachment.pk}/preview/",
            outsider=404,
            involved=404,
            manager=404,
            admin=404,
        ),
        *level_checks(
            lambda w, d: f"/documents/{d.pk}/attachments/{d.attachments.get().pk}/preview/", top_secret_passed=403
        ),
    ],
    "documents:attachment": [
        get(
            lambda w: f"/documents/{w.document.pk}/attachments/{w.document_attachment.pk}/",
            outsider=404,
            involved=200,
            manager=200,
            admin=200,
        ),
        # IDOR: the attachment under another document's id.
        get(
            lambda w: f"/documents/{w.foreign_document.pk}/attachments/{w.document_attachment.pk}/",
            outsider=404,
            involved=404,
            manager=404,
            admin=404,
        ),
        *secret_checks(lambda w: f"/documents/{w.secret.pk}/attachments/{w.secret.attachments.get().pk}/"),
        *level_checks(lambda w, d: f"/documents/{d.pk}/attachments/{d.attachments.get().pk}/", top_secret_passed=403),
    ],
    "documents:compare": [
        get(lambda w: f"/documents/{w.document.pk}/compare/", outsider=404, involved=200, manager=200, admin=200),
        *secret_checks(lambda w: f"/documents/{w.secret.pk}/compare/"),
        *level_checks(lambda w, d: f"/documents/{d.pk}/compare/"),
    ],
    "core:generated_file": [
        get(lambda w: f"/files/{w.job.pk}/", outsider=404, involved=200, manager=200, admin=200),
        get(lambda w: "/files/999999/", **everyone(404)),
        *secret_checks(lambda w: f"/files/{w.secret_job.pk}/"),
        *level_checks(lambda w, d: f"/files/{w.classified_job(d.secrecy).pk}/", top_secret_passed=404),
    ],
    "core:generated_file_pdf": [
        get(lambda w: f"/files/{w.job_with_pdf.pk}/pdf/", outsider=404, involved=200, manager=200, admin=200),
        get(lambda w: "/files/999999/pdf/", **everyone(404)),
        # The PDFs made of uploads (their previews): whoever may download the upload itself.
        get(lambda w: f"/files/{w.attachment_pdf.pk}/pdf/", outsider=404, involved=200, manager=200, admin=200),
        get(
            lambda w: f"/files/{w.confidential_pdf.pk}/pdf/",
            as_involved="assignee",
            outsider=404,
            involved=404,
            manager=200,
            admin=200,
            label="confidential request's .docx: a member of the target department",
        ),
        get(
            lambda w: f"/files/{w.confidential_pdf.pk}/pdf/",
            outsider=404,
            involved=200,
            manager=200,
            admin=200,
            label="confidential request's .docx: its requester",
        ),
        *secret_checks(lambda w: f"/files/{w.secret_attachment_pdf.pk}/pdf/"),
        get(
            lambda w: f"/files/{w.incoming_pdf.pk}/pdf/",
            as_involved="assignee",
            as_manager="purchasing_head",
            outsider=404,
            involved=200,
            manager=200,
            admin=200,
        ),
        get(lambda w: f"/files/{w.incoming_pdf.pk}/pdf/", outsider=404, involved=404, manager=404, admin=200),
    ],
    "core:generated_file_preview": [
        get(lambda w: f"/files/{w.job_with_pdf.pk}/preview/", outsider=404, involved=200, manager=200, admin=200),
        get(lambda w: "/files/999999/preview/", **everyone(404)),
    ],
    "core:generated_file_status": [
        get(lambda w: f"/files/{w.job.pk}/status/", outsider=404, involved=200, manager=200, admin=200),
        *secret_checks(lambda w: f"/files/{w.secret_job.pk}/status/"),
    ],
    "core:generated_file_retry": [
        # Only a failed job renders again; a ready one is left alone (and the answer is the same).
        post(lambda w: f"/files/{w.job.pk}/retry/", outsider=404, involved=302, manager=302, admin=302),
    ],
    "documents:incoming_list": [get(lambda w: "/documents/incoming/", **everyone(200))],
    # The number registers (占号, 退号, gap audit) are for admins only.
    "documents:numbers": [get(lambda w: "/documents/numbers/", outsider=403, involved=403, manager=403, admin=200)],
    "documents:number_void": [
        post(
            lambda w: f"/documents/numbers/{w.issued.number_id}/void/",
            data=lambda w: {"reason": "试图退号"},
            outsider=403,
            involved=403,
            manager=403,
            admin=302,  # refused with a message: the number belongs to an issued document
            after=lambda w, persona, response: _number_still_issued(w),
        ),
        post(lambda w: "/documents/numbers/999999/void/", outsider=403, involved=403, manager=403, admin=404),
    ],
    # 收文 is registered by those an admin gives the right to; the routed departments see it.
    "documents:incoming_new": [
        get(lambda w: "/documents/incoming/new/", outsider=403, involved=403, manager=403, admin=200),
    ],
    "documents:incoming_detail": [
        get(
            lambda w: f"/documents/incoming/{w.incoming.pk}/",
            as_involved="assignee",
            as_manager="purchasing_head",
            outsider=404,
            involved=200,
            manager=200,
            admin=200,
        ),
        get(lambda w: f"/documents/incoming/{w.incoming.pk}/", outsider=404, involved=404, manager=404, admin=200),
        get(lambda w: "/documents/incoming/999999/", **everyone(404)),
    ],
    "documents:incoming_file": [
        get(
            lambda w: f"/documents/incoming/{w.incoming.pk}/file/",
            as_involved="assignee",
            as_manager="purchasing_head",
            outsider=404,
            involved=200,
            manager=200,
            admin=200,
        ),
    ],
    "documents:incoming_preview": [
        get(
            lambda w: f"/documents/incoming/{w.incoming.pk}/preview/",
            as_involved="assignee",
            as_manager="purchasing_head",
            outsider=404,
            involved=200,
            manager=200,
            admin=200,
        ),
        get(
            lambda w: f"/documents/incoming/{w.incoming.pk}/preview/",
            outsider=404,
            involved=404,
            manager=404,
            admin=200,
        ),
        get(lambda w: "/documents/incoming/999999/preview/", **everyone(404)),
    ],
    # Lists and search pages of teams and reports: every employee gets their own view of them.
    "teams:list": [get(lambda w: "/teams/", **everyone(200))],
    # Public by design (see PUBLIC): a wrong token is a 404 for everyone, logged in or not.
    "teams:feed": [get(lambda w: "/calendar/not-a-token.ics", **everyone(404, anonymous=404))],
    "reports:search": [get(lambda w: "/search/?q=电脑", **everyone(200))],
    # Reports: department heads (their own departments), leaders and admins; the organisation report
    # for leaders and admins only. Employees get 403 (the page exists, they may not open it).
    "reports:index": [get(lambda w: "/reports/", outsider=403, involved=403, manager=302, admin=302)],
    "reports:department": [
        get(lambda w: "/reports/department/", outsider=403, involved=403, manager=200, admin=200),
    ],
    "reports:department_export": [
        get(lambda w: "/reports/department/overdue.csv", outsider=403, involved=403, manager=200, admin=200),
        get(lambda w: "/reports/department/nothing.xlsx", outsider=403, involved=403, manager=404, admin=404),
    ],
    "reports:organisation": [
        get(lambda w: "/reports/organisation/", outsider=403, involved=403, manager=403, admin=200),
    ],
    "reports:organisation_export": [
        get(lambda w: "/reports/organisation/matrix.xlsx", outsider=403, involved=403, manager=403, admin=200),
    ],
}

# conflicts: one conflict about the world's request, raised by the requester (销售部) against 采购部.


def _conflict(w):
    if not hasattr(w, "conflict"):
        from conflicts import services as conflict_services

        w.conflict = conflict_services.conflict_raise(
            by=w.org.requester,
            task=w.task,
            departments=[w.org.sales, w.org.purchasing],
            subject="交货期争议",
            position="客户要求两周内交货",
        )
    return w.conflict


def _withdrawn_only_by_raiser(w, persona, response):
    from conflicts.models import Conflict

    state = Conflict.objects.get(pk=_conflict(w).pk).state
    assert state == ("withdrawn" if persona == "involved" else "negotiation"), persona


MATRIX.update(
    {
        "conflicts:list": [
            get(lambda w: "/conflicts/", **everyone(200)),
            get(lambda w: "/conflicts/?scope=all", **everyone(200)),
        ],
        "conflicts:search": [get(lambda w: "/conflicts/search/?q=交货", **everyone(200))],
        "conflicts:raise": [
            # The people involved in the request raise; an admin sees the request but is not involved.
            get(
                lambda w: f"/conflicts/raise/request/{w.task.number}/",
                outsider=404,
                involved=200,
                manager=200,
                admin=403,
            ),
            get(lambda w: "/conflicts/raise/request/REQ-0000-99999/", **everyone(404)),
        ],
        "conflicts:raise_team": [get(lambda w: "/conflicts/raise/team/999999/", **everyone(404))],
        "conflicts:detail": [
            get(lambda w: f"/conflicts/{_conflict(w).pk}/", outsider=404, involved=200, manager=200, admin=200),
            get(lambda w: "/conflicts/999999/", **everyone(404)),
        ],
        "conflicts:act": [
            # Only whoever raised it withdraws; a party's head may not, nor may an admin.
            post(
                lambda w: f"/conflicts/{_conflict(w).pk}/do/withdraw/",
                data=lambda w: {"text": "客户改期"},
                outsider=404,
                involved=302,
                manager=403,
                admin=403,
                after=_withdrawn_only_by_raiser,
            ),
            post(lambda w: f"/conflicts/{_conflict(w).pk}/do/explode/", **everyone(404)),
        ],
    }
)

# teams: a private team led by 销售部's head with the requester on it (see tests/teams/authorization.py).
from tests.teams.authorization import team_entries  # noqa: E402

MATRIX.update(team_entries(get, post, everyone))

# webhooks: an endpoint of 销售部 and one of 采购部 (see tests/webhooks/authorization.py).
from tests.webhooks.authorization import webhook_entries  # noqa: E402

MATRIX.update(webhook_entries(get, post, everyone))

# imports: admins only (see tests/imports/authorization.py).
from tests.imports.authorization import import_entries  # noqa: E402

MATRIX.update(import_entries(get, post))

# deptadmin: 采购部's head administers 采购部 only (see tests/deptadmin/authorization.py).
from tests.deptadmin.authorization import deptadmin_entries  # noqa: E402

MATRIX.update(deptadmin_entries(get, post))

# catalogue: department administrators, their own departments' types only (see tests/catalogue/authorization.py).
from tests.catalogue.authorization import catalogue_entries  # noqa: E402

MATRIX.update(catalogue_entries(get, post))

# confighistory: admins, and department administrators for their own departments.
from tests.confighistory.authorization import history_entries  # noqa: E402

MATRIX.update(history_entries(get))

# retention: legal holds, for holders of retention.manage_legal_hold (see tests/retention/authorization.py).
from tests.retention.authorization import retention_entries  # noqa: E402

MATRIX.update(retention_entries(get, post))


# Patterns whose full entry their owners still owe (they landed before this matrix). For these the
# suite checks only that anonymous users are sent to the login page (test_anonymous_is_sent_to_login).
# Move each into MATRIX with its personas; do not add to this list.
AWAITING_FULL_ENTRY: set[str] = set()
# Reachable without logging in, on purpose.
PUBLIC = {
    "favicon": "browsers ask for the icon before anyone logs in",
    "healthz": "load balancers and monitoring",
    "login": "the login page",
    "logout": "POST only; logging out an anonymous visitor does nothing",
    "oidc_authentication_init": "signing in through the OpenID provider starts before login",
    "oidc_authentication_callback": "the OpenID provider sends the browser back here to log in",
    "set_language": "the language switch works before login",
    "teams:feed": "an .ics calendar feed: calendar programs cannot log in, so a secret per-person token in the URL"
    " is the credential (rotated or revoked on teams:calendar)",
}


def url_pattern_names(resolvers=None, namespace="", prefix=""):
    """Every URL pattern as (key, route); the key is "namespace:name" (or the route when unnamed)."""
    found = []
    for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            inner = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            found += url_pattern_names(entry.url_patterns, inner, route)
        elif isinstance(entry, URLPattern):
            key = f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or route)
            found.append((key, route, entry.callback))
    return found


def _skipped(key: str, route: str) -> bool:
    # A regular expression's route starts with "^" (the API's catch-all, "^api/").
    return route.lstrip("^").startswith(tuple(SKIPPED_PREFIXES) + tuple(SKIPPED_ROUTES))


def test_every_url_pattern_has_an_entry():
    missing = sorted(
        {
            key
            for key, route, _ in url_pattern_names()
            if not _skipped(key, route) and key not in MATRIX and key not in AWAITING_FULL_ENTRY
        }
    )
    assert not missing, f"add these to MATRIX in {__file__}: {missing}"


def test_no_entry_for_a_pattern_that_is_gone():
    known = {key for key, _route, _cb in url_pattern_names()}
    assert not (set(MATRIX) | AWAITING_FULL_ENTRY) - known
    assert not set(MATRIX) & AWAITING_FULL_ENTRY, "an entry in MATRIX is no longer awaited: remove it from the list"


def _dummy_url(route: str) -> str:
    """The route with every converter filled in (ids 1, slugs and strings "x")."""
    url = re.sub(r"<int:[^>]+>", "1", route)
    url = re.sub(r"<[^>]+>", "x", url)
    return "/" + url


@pytest.mark.parametrize(
    "key, route",
    [
        pytest.param(key, route, id=key)
        for key, route, _ in url_pattern_names()
        if not _skipped(key, route) and key not in PUBLIC
    ],
)
def test_anonymous_is_sent_to_login(key, route, client, db):
    """Every page but the public ones sends anonymous visitors to log in, whatever the ids, for GET and POST."""
    url = _dummy_url(route)
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 302, (key, url, response.status_code)
        assert response["Location"].startswith("/accounts/login/?next="), (key, response["Location"])


CASES = [
    pytest.param(key, index, persona, id=f"{key}[{index}]-{persona}")
    for key, checks in MATRIX.items()
    for index, _check_ in enumerate(checks)
    for persona in PERSONAS
]


def _persona_user(w, check: Check, persona: str):
    org = w.org
    return {
        "anonymous": None,
        "outsider": org.outsider,
        "involved": getattr(org, check.as_involved),
        "manager": getattr(org, check.as_manager),
        "admin": org.admin,
    }[persona]


@pytest.mark.parametrize("key, index, persona", CASES)
def test_matrix(key, index, persona, world, client):
    check = MATRIX[key][index]
    user = _persona_user(world, check, persona)
    if user is not None:
        login(client, user)
    url = check.url(world)
    data = check.data(world) if check.data else {}
    response = client.get(url, data) if check.method == "GET" else client.post(url, data)
    expected = check.expect[persona]
    if expected == LOGIN:
        assert response.status_code == 302, (url, response.status_code)
        assert response["Location"].startswith("/accounts/login/?next="), response["Location"]
    else:
        assert response.status_code == expected, (check.method, url, persona, response.status_code)
    sales_people = (world.org.requester, world.org.sales_head)
    if user in sales_people and response.status_code == 200 and "text/html" in response["Content-Type"]:
        # IDOR: nothing of 人事's request or document leaks into a page of people of 销售部.
        page = response.content.decode()
        assert world.foreign.title not in page and world.foreign_document.title not in page
    if check.after:
        check.after(world, persona, response)


# IDOR: the numbers and ids of things someone may not see reveal nothing, whatever the URL.


def test_idor_another_persons_request_and_document_are_404(world, client):
    login(client, world.org.requester)
    foreign, doc = world.foreign, world.foreign_document
    for method, url in [
        ("get", f"/requests/{foreign.number}/"),
        ("get", f"/requests/{foreign.number}/edit/"),
        ("get", f"/requests/{foreign.number}/files/{world.foreign_attachment.pk}/"),
        ("get", f"/requests/{foreign.number}/mentions/?q=o"),
        ("post", f"/requests/{foreign.number}/do/comment/"),
        ("post", f"/requests/{foreign.number}/do/cancel/"),
        ("get", f"/documents/{doc.pk}/"),
        ("get", f"/documents/{doc.pk}/edit/"),
        ("post", f"/documents/{doc.pk}/do/submit/"),
        ("get", f"/documents/{doc.pk}/compare/"),
    ]:
        response = getattr(client, method)(url, {"body": "x"} if method == "post" else {})
        assert response.status_code == 404, (method, url, response.status_code)
    assert Document.objects.get(pk=doc.pk).state == "draft"
    assert Task.objects.get(pk=foreign.pk).state == "pending_acceptance"


def test_idor_a_404_and_a_missing_number_look_the_same(world, client):
    """Someone guessing numbers cannot tell a hidden request from one that does not exist."""
    login(client, world.org.outsider)
    hidden = client.get(f"/requests/{world.task.number}/")
    missing = client.get("/requests/REQ-0000-99999/")
    assert hidden.status_code == missing.status_code == 404
    assert _masked(hidden.content, world.task.number) == _masked(missing.content, "REQ-0000-99999")


def _masked(content: bytes, number: str) -> str:
    """The page without what differs by design: the CSRF token (masked anew each time) and the number asked for."""
    return re.sub(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', r"\1", content.decode()).replace(number, "N")


def test_bulk_approve_ignores_ids_the_user_cannot_see(world, client):
    login(client, world.org.outsider)
    client.post("/requests/bulk/approve/", {"ids": [world.task.pk, world.draft.pk]})
    assert Task.objects.get(pk=world.task.pk).state == "pending_approval"
    assert Task.objects.get(pk=world.draft.pk).state == "draft"


# CSRF: no view is exempt, and POSTs without the token are refused.

CSRF_EXEMPT_ALLOWED: dict[str, str] = {}  # key -> written reason; empty on purpose


def test_no_view_is_csrf_exempt():
    exempt = [
        key
        for key, route, callback in url_pattern_names()
        if getattr(callback, "csrf_exempt", False)
        and not key.startswith("admin:")
        and key not in CSRF_EXEMPT_ALLOWED
        # DRF marks its views exempt and checks CSRF itself for session callers (SessionAuthentication);
        # a token is no cookie. tests/api/test_requests.py::test_session_posts_need_the_csrf_token.
        and not route.startswith("api/")
    ]
    assert not exempt, f"csrf_exempt views without a written reason: {exempt}"


def test_admin_views_are_not_csrf_exempt_either():
    exempt = [
        key for key, _route, cb in url_pattern_names() if key.startswith("admin:") and getattr(cb, "csrf_exempt", False)
    ]
    assert not exempt


POST_CHECKS = [
    pytest.param(key, index, id=f"{key}[{index}]")
    for key, checks in MATRIX.items()
    for index, check in enumerate(checks)
    if check.method == "POST"
]


@pytest.mark.parametrize("key, index", POST_CHECKS)
def test_post_without_csrf_token_is_refused(key, index, world):
    check = MATRIX[key][index]
    client = Client(enforce_csrf_checks=True)
    user = _persona_user(world, check, "involved" if check.expect["involved"] not in (403, 404) else "manager")
    login(client, user)
    before = (Task.objects.order_by("pk").values_list("pk", "state")[::1], Document.objects.values_list("state"))
    response = client.post(check.url(world), check.data(world) if check.data else {})
    assert response.status_code == 403
    assert b"CSRF" in response.content
    assert Task.objects.order_by("pk").values_list("pk", "state")[::1] == before[0]


def test_post_with_the_token_goes_through(world):
    """The refusal above is the token's doing: the same POST with a token is accepted."""
    client = Client(enforce_csrf_checks=True)
    login(client, world.org.sales_head)
    page = client.get(f"/requests/{world.task.number}/")
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else page.context["csrf_token"]
    response = client.post(
        f"/requests/{world.task.number}/do/approve/", {"opinion": "同意", "csrfmiddlewaretoken": str(token)}
    )
    assert response.status_code == 302
    assert Task.objects.get(pk=world.task.pk).state == "pending_acceptance"


def test_downloads_are_sandboxed(world, client):
    login(client, world.org.requester)
    response = client.get(f"/requests/{world.task.number}/files/{world.attachment.pk}/")
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == b"price list"
