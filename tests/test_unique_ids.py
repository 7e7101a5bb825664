"""Every id on a page is unique: a label whose `for` names an id that two fields carry focuses the
wrong form's field (the reject and return forms of a request both had `id_reason`).

The pages of the demo organisation are visited as the people who use them: the requester, the
approver, the target department's manager and the assignee of a request in each state, the parties
of a conflict at each level, the drafter and the deciders of a document in each state."""

from collections import Counter
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.test import Client

from conflicts.models import Conflict
from departments.models import Department, User
from documents.models import Document
from tasks import services as task_services
from tasks.models import RequestType, Task
from teams.models import Meeting, Team
from tests.conftest import login

pytestmark = pytest.mark.django_db


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids = Counter()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id" and value is not None:
                self.ids[value] += 1

    handle_startendtag = handle_starttag


def duplicate_ids(html: str) -> list[str]:
    parser = _Ids()
    parser.feed(html)
    parser.close()
    return sorted(value for value, count in parser.ids.items() if count > 1)


def _head(department: Department | None) -> User | None:
    return department.head if department else None


@pytest.fixture
def demo(db):
    call_command("seed_demo", quiet=True)
    # A request its approver returned for revision: a draft again, with forms of its own.
    returned = task_services.task_create(
        by=User.objects.get(username="sales_staff3"),
        request_type=RequestType.objects.get(code="purchase"),
        title="采购办公椅",
        values={"amount": "4000", "items": "办公椅 10 把"},
        submit=True,
    )
    task_services.task_return(
        task=returned, by=User.objects.get(username="sales_head"), opinion="请补充报价单。", reason="incomplete"
    )
    returned.refresh_from_db()
    assert returned.state == Task.State.DRAFT
    return returned


def _pages() -> list[tuple[str, list[User]]]:
    """(address, who visits it) for every kind of page of the organisation."""
    by_name = {u.username: u for u in User.objects.all()}
    everyday = [by_name[n] for n in ("sales_staff2", "sales_head", "purchasing_head", "purchasing_staff2", "leader")]
    everyday.append(by_name["admin"])
    pages = [
        (address, everyday)
        for address in (
            "/",
            "/requests/list/mine/",
            "/requests/list/assigned/",
            "/requests/list/approvals/",
            "/requests/list/all/",
            "/requests/inbox/",
            "/requests/new/",
            "/documents/",
            "/documents/?scope=waiting",
            "/documents/incoming/",
            "/documents/numbers/",
            "/teams/",
            "/conflicts/",
            "/conflicts/search/?q=运费",
            "/reports/department/?department=purchasing",
            "/reports/department/",
            "/reports/organisation/",
            "/search/?q=采购",
            "/people/?q=王",
            "/departments/",
            "/departments/purchasing/",
            "/notifications/",
            "/notifications/settings/",
            "/me/edit/",
            "/me/delegations/new/",
            "/calendar/",
            "/accounts/password/",
            "/teams/new/",
        )
    ]
    pages.append(("/people/purchasing_staff2/", everyday))
    for code in RequestType.objects.values_list("code", flat=True):
        pages.append((f"/requests/new/{code}/", everyday[:2]))
    for task in Task.objects.filter(parent__isnull=True).select_related(
        "requester", "assignee", "requesting_department", "target_department"
    ):
        people = [
            task.requester,
            _head(task.requesting_department),
            _head(task.target_department),
            task.assignee,
        ]
        pages.append((f"/requests/{task.number}/", [p for p in people if p]))
    for document in Document.objects.select_related("drafter", "department"):
        countersigners = [d.head for d in document.countersign_departments.all() if d.head]
        people = [document.drafter, _head(document.department), *countersigners, by_name["leader"]]
        pages.append((f"/documents/{document.pk}/", people))
    for team in Team.objects.select_related("lead"):
        pages.append((f"/teams/{team.pk}/", [team.lead, *[m.user for m in team.members.all()[:2]]]))
    for meeting in Meeting.objects.select_related("team__lead")[:3]:
        pages.append((f"/teams/{meeting.team_id}/meetings/{meeting.pk}/", [meeting.team.lead]))
    for conflict in Conflict.objects.select_related("raised_by", "mediator"):
        people = [conflict.raised_by, conflict.mediator, by_name["leader"]]
        people += [p.department.head for p in conflict.parties.select_related("department__head") if p.department.head]
        pages.append((f"/conflicts/{conflict.pk}/", [p for p in people if p]))
    return pages


def test_no_page_of_the_demo_organisation_repeats_an_id(demo):
    assert set(Task.objects.values_list("state", flat=True)) >= set(Task.State.values)
    assert set(Conflict.objects.values_list("state", flat=True)) >= {"negotiation", "mediation", "resolved"}
    assert set(Document.objects.values_list("state", flat=True)) >= set(Document.State.values) - {"archived"}
    duplicates = {}
    seen = Counter()
    client = Client()
    for address, people in _pages():
        for person in dict.fromkeys(people):  # each once, in order
            login(client, person)
            response = client.get(address)
            assert response.status_code in (200, 302, 403, 404), (address, person.username, response.status_code)
            if response.status_code != 200:
                continue
            seen[address] += 1
            found = duplicate_ids(response.content.decode())
            if found:
                duplicates[(address, person.username)] = found
    assert not duplicates, "\n".join(f"{a} as {p}: {ids}" for (a, p), ids in duplicates.items())
    assert all(seen[address] for address, _people in _pages()), [a for a, _p in _pages() if not seen[a]]
