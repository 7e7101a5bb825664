"""The organisation report's default view kept as a snapshot (reports.snapshots): the same
figures as computing them, for the admins only when nothing they may see is left out of it, a
Refresh that counts what came since, few queries, and one hourly run however many beats send it.
Leaders (and admins who may read a classified document) get a snapshot of their own, keyed by
their roles: the same figures as computing theirs, never another person's, never those of roles
they no longer have; the hourly run retakes the recent viewers'."""

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from openpyxl import load_workbook

from conflicts.models import Conflict, ConflictParty
from core import exports
from departments.models import Membership
from documents.models import Document, DocumentReader
from reports import snapshots
from reports.forms import DEFAULT_DAYS
from reports.selectors.organisation import OrganisationReport, SharedOrganisationReport
from reports.snapshots import default_period
from teams.models import Team, TeamMember
from tests.conftest import login
from tests.factories import DelegationFactory, MembershipFactory, UserFactory
from tests.reports.conftest import make_task

ORG = "/reports/organisation/"


def document(org, secrecy="internal", drafter=None):
    return Document.objects.create(
        kind="notice",
        title="关于采购的通知",
        recipients="各部门",
        body="正文",
        department=org.hr,
        drafter=drafter or org.outsider,
        secrecy=secrecy,
        state="reviewing",
    )


@pytest.fixture
def everything(org, figures):
    """The hand-computed requests (one confidential), documents in flight (one classified), a
    conflict about a request and a team due in the period."""
    document(org)
    document(org, "secret")
    made = Conflict.objects.create(subject="交货期", task=figures["T1"], state="negotiation", raised_by=org.requester)
    ConflictParty.objects.create(conflict=made, department=org.sales)
    today = timezone.localdate()
    Team.objects.create(
        name="降本小组",
        goal="降低采购成本",
        metric="成本",
        baseline=Decimal(100),
        target_value=Decimal(80),
        current_value=Decimal(90),
        starts_on=today - timedelta(days=30),
        deadline=today,
        lead=org.sales_head,
        created_by=org.sales_head,
    )
    return figures


def page_rows(page) -> dict:
    return {table.key: table.rows for table, _figures in page.context["tables"]}


def matrix_of(page) -> dict:
    return {(row[0], row[1]): row[2] for row in page_rows(page)["matrix"]}


def test_the_shared_report_counts_what_an_admin_counts(org, everything):
    shared = SharedOrganisationReport(*default_period())
    admin = OrganisationReport(org.admin, None, *default_period())
    for key in OrganisationReport.sections:
        assert shared.table(key, limit=None).rows == admin.table(key, limit=None).rows, key
    assert sum(row[1] for row in shared.documents().rows) == 1  # the 秘密 one is nobody's here


def test_the_snapshot_page_shows_the_computed_figures_and_when(client, org, everything):
    login(client, org.admin)
    first = client.get(ORG)
    assert first.status_code == 200 and first.context["figures_taken"] is not None
    body = first.content.decode()
    taken = timezone.localtime(first.context["figures_taken"]).strftime("%H:%M")
    assert f"Figures as of {taken}" in body and f'href="{ORG}?fresh=1"' in body
    kept = client.get(ORG)
    assert kept.context["figures_taken"] == first.context["figures_taken"]
    computed = client.get(
        ORG, {"start": str(timezone.localdate() - timedelta(days=100))}
    )  # any other filter: computed, no label
    assert "figures_taken" not in computed.context and "Figures as of" not in computed.content.decode()
    fresh = OrganisationReport(org.admin, None, *default_period())
    expected = {table.key: table.rows[:50] for table in fresh.all()}
    assert page_rows(kept) == expected
    assert matrix_of(kept) == {("Sales", "Purchasing"): 7, ("Human Resources", "Purchasing"): 1}
    assert kept.content.decode().count('class="heatmap') == first.content.decode().count('class="heatmap')


def test_refresh_counts_a_request_filed_after_the_snapshot(client, org, figures, support):
    login(client, org.admin)
    assert matrix_of(client.get(ORG))[("Sales", "Purchasing")] == 7
    make_task(org, support, "N1", state="in_progress", created=timezone.now(), assignee=org.assignee)
    kept = client.get(ORG)
    assert matrix_of(kept)[("Sales", "Purchasing")] == 7  # the snapshot, as its label says
    exported = list(csv.reader(io.StringIO(client.get(f"{ORG}matrix.csv").content.decode("utf-8-sig"))))
    assert {(row[0], row[1]): int(row[2]) for row in exported[1:]} == matrix_of(kept)  # the page's rows
    refreshed = client.get(ORG, {"fresh": "1"})
    assert matrix_of(refreshed)[("Sales", "Purchasing")] == 8
    assert refreshed.context["figures_taken"] >= kept.context["figures_taken"]
    assert matrix_of(client.get(ORG))[("Sales", "Purchasing")] == 8  # the snapshot was replaced
    exported = list(csv.reader(io.StringIO(client.get(f"{ORG}matrix.csv").content.decode("utf-8-sig"))))
    assert ["Sales", "Purchasing", "8"] == exported[1][:3]


def test_exports_of_the_default_filter_are_the_snapshot_files(client, org, figures, support, monkeypatch):
    login(client, org.admin)
    shown = client.get(ORG)
    make_task(org, support, "N1", state="in_progress", created=timezone.now(), assignee=org.assignee)
    rendered = []
    render = exports.render
    monkeypatch.setattr("core.exports.render", lambda table, fmt: rendered.append(fmt) or render(table, fmt))
    for _ in range(2):
        reply = client.get(f"{ORG}matrix.xlsx")
        assert reply["Content-Disposition"] == 'attachment; filename="organisation-matrix.xlsx"'
        sheet = load_workbook(io.BytesIO(reply.content)).active
        got = [list(row[:4]) for row in sheet.iter_rows(min_row=2, values_only=True)]
        assert got == [row[:4] for row in page_rows(shown)["matrix"]]
    assert rendered == ["xlsx"]  # made once, then the kept file
    # Another filter is computed: the request filed since counts.
    other = list(
        csv.reader(
            io.StringIO(
                client.get(
                    f"{ORG}matrix.csv", {"start": str(timezone.localdate() - timedelta(days=100))}
                ).content.decode("utf-8-sig")
            )
        )
    )
    assert ["Sales", "Purchasing", "8"] == other[1][:3]


def test_narrower_and_wider_viewers_never_get_the_shared_snapshot(client, org, everything):
    login(client, org.admin)
    assert ("Human Resources", "Purchasing") in matrix_of(client.get(ORG))  # the snapshot, T8 counted
    # The leader may not see hr's confidential request T8: their own snapshot, without it.
    login(client, org.leader)
    assert snapshots.scope_of(org.leader).user == org.leader
    page = client.get(ORG)
    assert "Figures as of" in page.content.decode()
    assert matrix_of(page) == {("Sales", "Purchasing"): 7}
    exported = list(csv.reader(io.StringIO(client.get(f"{ORG}matrix.csv").content.decode("utf-8-sig"))))
    assert [row[:3] for row in exported[1:]] == [["Sales", "Purchasing", "7"]]
    assert matrix_of(client.get(ORG, {"fresh": "1"})) == {("Sales", "Purchasing"): 7}
    # An admin named for a classified document of the period sees more documents than the
    # snapshot counts: a snapshot of their own too, with it.
    named = UserFactory(username="admin2", is_staff=True, is_superuser=True)
    document(org, "secret", drafter=named)
    assert snapshots.scope_of(named).user == named
    login(client, named)
    page = client.get(ORG)
    assert page.context["figures_taken"] is not None
    assert dict(row[:2] for row in page_rows(page)["documents"])["Reviewing (核稿)"] == 2
    # Every other admin still gets the snapshot, which counts no classified document.
    login(client, org.admin)
    page = client.get(ORG)
    assert page.context["figures_taken"] is not None
    assert dict(row[:2] for row in page_rows(page)["documents"])["Reviewing (核稿)"] == 1


def count_queries(client, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(ORG, params or {}).status_code == 200
    return len(ctx.captured_queries)


def test_the_page_from_the_snapshot_runs_few_queries(client, org, everything):
    # The conflicts section's content type as a running process has it cached after its first
    # report (Django keeps it per process): else only the first count of the process reads it.
    ContentType.objects.get_for_model(Conflict)
    login(client, org.admin)
    computing = count_queries(client)  # none kept yet: computed and kept
    from_snapshot = count_queries(client)
    # The user, the bell's count, the filter's departments; the admin's roles, whether they are the
    # 机要 office and whether a classified document of the period is theirs: none of the report's.
    # Without Redis the session is read from the database too (collab_portal.sessions).
    session = 0 if settings.REDIS_URL else 1
    assert from_snapshot - session <= 6 and (from_snapshot - session) * 2 < computing - session
    assert count_queries(client, {"fresh": "1"}) == computing


@pytest.mark.parametrize(
    "fresh", ["", "0", "true", "yes", "2", "1 ", "１", "' OR 1=1 --", "💥", "1" * 5000, "%00", "\x00"]
)
def test_crafted_fresh_values_show_the_page(client, org, figures, fresh):
    for viewer in (org.admin, org.leader):  # the shared snapshot, and a leader's own
        login(client, viewer)
        page = client.get(ORG, {"fresh": fresh})
        assert page.status_code == 200 and page.context["figures_taken"] is not None
        assert client.get(f"{ORG}?fresh=1&fresh=x").status_code == 200
        assert client.get(f"{ORG}matrix.csv", {"fresh": fresh}).status_code == 200


def test_only_the_default_days_and_every_department_are_kept(org):
    start, end = snapshots.default_days()
    assert (end - start).days == DEFAULT_DAYS and end == timezone.localdate()
    assert snapshots.is_default({"start": start, "end": end, "department": None})
    assert not snapshots.is_default({"start": start, "end": end, "department": org.sales})
    assert not snapshots.is_default({"start": start + timedelta(days=1), "end": end, "department": None})
    with pytest.raises(ValueError):
        snapshots.take("someone")


def test_the_job_keeps_one_in_each_language_and_at_start_only_the_missing(org, figures, monkeypatch):
    from reports.tasks import snapshot_organisation

    assert snapshot_organisation.apply().get() == len(settings.LANGUAGES)
    assert snapshot_organisation.apply(kwargs={"only_missing": True}).get() == 0
    snapshots.forget()
    assert snapshot_organisation.apply(kwargs={"only_missing": True}).get() == len(settings.LANGUAGES)


def test_the_job_is_on_the_hourly_schedule():
    from collab_portal.celery import _jobs

    entry = _jobs()["organisation-report-snapshot"]
    assert entry == {"task": "reports.tasks.snapshot_organisation", "schedule": 3600.0}


@pytest.mark.skipif(not settings.REDIS_URL, reason="the claim is shared through Redis (REDIS_URL)")
def test_two_beats_sending_the_job_run_it_once_an_hour(org, figures):
    from core import periodic
    from core.tasks import run_periodic

    name, hour = "reports.tasks.snapshot_organisation", 3600.0
    moments = [1_800_000_000 + 10, 1_800_000_000 + 1800, 1_800_000_000 + 3600 + 10]
    redis = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": settings.REDIS_URL}
    with override_settings(CACHES={"default": redis, "fragments": settings.FRAGMENT_CACHE}):
        periodic_keys = [periodic.period_key(name, hour, now=moment) for moment in moments]
        from django.core.cache import cache

        cache.delete_many(periodic_keys)
        try:
            with time_machine.travel(datetime.fromtimestamp(moments[0], tz=UTC), tick=False):
                snapshots.forget()
                assert run_periodic.apply(args=[name, hour]).get() is True
                assert snapshots.page(snapshots.SCOPE_ALL) is not None
                snapshots.forget()
            with time_machine.travel(datetime.fromtimestamp(moments[1], tz=UTC), tick=False):
                assert run_periodic.apply(args=[name, hour]).get() is False  # the second beat's send
                assert snapshots.page(snapshots.SCOPE_ALL) is None  # not taken again
            with time_machine.travel(datetime.fromtimestamp(moments[2], tz=UTC), tick=False):
                assert run_periodic.apply(args=[name, hour]).get() is True  # the next hour
                assert snapshots.page(snapshots.SCOPE_ALL) is not None
                snapshots.forget()
        finally:
            cache.delete_many(periodic_keys)


def test_a_starting_worker_takes_the_snapshot_when_none_is_kept(org, figures):
    from collab_portal.celery import _first_heartbeat
    from core import periodic

    periodic.release("organisation-report-snapshot-at-start", 600.0)
    try:
        _first_heartbeat(sender=None)
        assert snapshots.page(snapshots.SCOPE_ALL) is not None
        snapshots.forget()
        _first_heartbeat(sender=None)  # a second worker starting beside it: the first one queued it
        assert snapshots.page(snapshots.SCOPE_ALL) is None
    finally:
        periodic.release("organisation-report-snapshot-at-start", 600.0)


# A snapshot per viewer: leaders, and admins who may read a classified document of the period.


def csv_rows(client, params=None) -> list[list[str]]:
    reply = client.get(f"{ORG}matrix.csv", params or {})
    assert reply.status_code == 200
    return list(csv.reader(io.StringIO(reply.content.decode("utf-8-sig"))))[1:]


def kept_matrix(snapshot) -> dict:
    return {(row[0], row[1]): row[2] for row in {table.key: table.rows for table, _ in snapshot.sections}["matrix"]}


def test_a_viewers_snapshot_is_their_computed_report(client, org, everything):
    named = UserFactory(username="admin2", is_staff=True, is_superuser=True)
    document(org, "secret", drafter=named)
    for viewer in (org.leader, named):
        scope = snapshots.scope_of(viewer)
        assert scope != snapshots.SCOPE_ALL and scope.user == viewer
        kept = snapshots.take(scope)
        computed = OrganisationReport(viewer, None, *default_period())
        for key in OrganisationReport.sections:
            assert kept.tables[key].rows == computed.table(key, limit=None).rows, key
        login(client, viewer)
        page = client.get(ORG)
        assert page.context["figures_taken"] == kept.taken  # the one taken above, not computed again
        assert page_rows(page) == {table.key: table.rows[:50] for table in computed.all()}


def private_team(org) -> Team:
    today = timezone.localdate()
    return Team.objects.create(
        name="保密小组",
        goal="新品立项",
        metric="进度",
        baseline=Decimal(0),
        target_value=Decimal(100),
        current_value=Decimal(50),
        starts_on=today - timedelta(days=30),
        deadline=today,
        lead=org.sales_head,
        created_by=org.sales_head,
        private=True,
    )


@pytest.mark.parametrize(
    "change", ["manager of hr", "acting for purchasing's head", "member of a private team", "passed a secret"]
)
def test_a_leader_whose_roles_change_gets_fresh_figures_at_once(client, org, everything, change):
    team = private_team(org)
    login(client, org.leader)
    before = client.get(ORG)
    tables = page_rows(before)
    assert matrix_of(before) == {("Sales", "Purchasing"): 7}  # hr's confidential T8 is not theirs
    assert [row[0] for row in tables["teams"]] == ["降本小组"]
    assert dict(row[:2] for row in tables["documents"])["Reviewing (核稿)"] == 0
    today = timezone.localdate()
    if change == "manager of hr":
        MembershipFactory(user=org.leader, department=org.hr, role=Membership.Role.MANAGER, is_primary=False)
    elif change == "acting for purchasing's head":
        DelegationFactory(delegator=org.purchasing_head, delegate=org.leader, starts_on=today, ends_on=today)
    elif change == "member of a private team":
        TeamMember.objects.create(team=team, user=org.leader, department=org.hq)
    else:
        secret = Document.objects.get(secrecy="secret")
        DocumentReader.objects.create(document=secret, user=org.leader, passed_by=org.outsider)
    after = client.get(ORG)  # no Refresh
    assert after.context["figures_taken"] > before.context["figures_taken"]
    tables = page_rows(after)
    if change in ("manager of hr", "acting for purchasing's head"):
        assert matrix_of(after) == {("Sales", "Purchasing"): 7, ("Human Resources", "Purchasing"): 1}
    elif change == "member of a private team":
        assert sorted(row[0] for row in tables["teams"]) == ["保密小组", "降本小组"]
    else:
        assert dict(row[:2] for row in tables["documents"])["Reviewing (核稿)"] == 1
    assert page_rows(after) == {
        table.key: table.rows[:50] for table in OrganisationReport(org.leader, None, *default_period()).all()
    }


def test_two_leaders_never_see_each_others_figures(client, org, figures):
    hr_manager = UserFactory(username="leader2", can_sign_off=True)
    MembershipFactory(user=hr_manager, department=org.hr, role=Membership.Role.MANAGER)
    # Two leaders of no department: the same roles, still a snapshot each.
    alone = [UserFactory(username=f"leader{n}", can_sign_off=True) for n in (3, 4)]
    expected = {
        org.leader: {("Sales", "Purchasing"): 7},
        hr_manager: {("Human Resources", "Purchasing"): 1},
        alone[0]: {},
        alone[1]: {},
    }
    taken = {}
    for turn in ("computed", "kept"):
        for viewer, matrix in expected.items():
            login(client, viewer)
            page = client.get(ORG)
            assert matrix_of(page) == matrix, (turn, viewer)
            assert {(row[0], row[1]): int(row[2]) for row in csv_rows(client)} == matrix
            if turn == "computed":
                taken[viewer] = page.context["figures_taken"]
            else:
                assert page.context["figures_taken"] == taken[viewer]  # their own, kept
    assert len({snapshots.scope_of(viewer).name for viewer in expected}) == len(expected)


def test_a_leaders_export_of_the_default_view_is_their_snapshot(client, org, figures, support, monkeypatch):
    login(client, org.leader)
    shown = client.get(ORG)
    make_task(org, support, "N1", state="in_progress", created=timezone.now(), assignee=org.assignee)
    rendered = []
    render = exports.render
    monkeypatch.setattr("core.exports.render", lambda table, fmt: rendered.append(fmt) or render(table, fmt))
    for _ in range(2):
        assert [row[:4] for row in csv_rows(client)] == [
            [str(value) for value in row[:4]] for row in page_rows(shown)["matrix"]
        ]
    assert rendered == ["csv"]  # made once from their snapshot's rows, then the kept file
    assert csv_rows(client)[0][:3] == ["Sales", "Purchasing", "7"]  # N1 came after it
    longer = str(timezone.localdate() - timedelta(days=DEFAULT_DAYS + 1))
    assert csv_rows(client, {"start": longer})[0][:3] == ["Sales", "Purchasing", "8"]  # another filter: computed
    # Refresh takes their own snapshot again; the page and the export then count N1.
    refreshed = client.get(ORG, {"fresh": "1"})
    assert matrix_of(refreshed)[("Sales", "Purchasing")] == 8
    assert refreshed.context["figures_taken"] > shown.context["figures_taken"]
    assert matrix_of(client.get(ORG))[("Sales", "Purchasing")] == 8
    assert csv_rows(client)[0][:3] == ["Sales", "Purchasing", "8"]


def test_a_leader_who_lost_the_right_gets_403_not_their_snapshot(client, org, figures):
    login(client, org.leader)
    assert client.get(ORG).status_code == 200
    org.leader.can_sign_off = False
    org.leader.save(update_fields=["can_sign_off"])
    assert client.get(ORG).status_code == 403
    assert client.get(ORG, {"fresh": "1"}).status_code == 403
    assert client.get(f"{ORG}matrix.csv").status_code == 403
    assert snapshots.scope_of(org.leader) is None


def reading_requests(ctx) -> list[str]:
    return [query["sql"] for query in ctx.captured_queries if "tasks_task" in query["sql"]]


def test_a_leaders_second_view_is_their_snapshot_and_reads_no_request(client, org, everything):
    login(client, org.leader)
    with CaptureQueriesContext(connection) as first:
        assert client.get(ORG).status_code == 200
    with CaptureQueriesContext(connection) as second:
        page = client.get(ORG)
    assert page.context["figures_taken"] is not None
    assert reading_requests(first)  # computing the report reads the requests' table...
    assert reading_requests(second) == []  # ...the kept snapshot, nothing of it
    # The session (SQLite: not cached), the user, the bell's count, the filter's departments; the
    # fingerprint (snapshots.roles_of): the leader's roles, the departments' tree, whether they are
    # the 机要 office and the one UNION of the rest. None of the report's.
    assert len(second) <= 8 and len(second) < len(first)


def test_the_job_retakes_the_recent_viewers_and_skips_those_gone(client, org, figures, support):
    from reports.tasks import snapshot_organisation

    gone = UserFactory(username="leader2", can_sign_off=True)
    demoted = UserFactory(username="leader3", can_sign_off=True)
    viewers = (org.leader, gone, demoted)
    for viewer in viewers:
        login(client, viewer)
        assert client.get(ORG).status_code == 200
    assert list(snapshots.recent_viewers()) == [viewer.pk for viewer in reversed(viewers)]  # the latest first
    assert snapshots.recent_viewers()[org.leader.pk] == ["en"]
    scopes = {viewer: snapshots.scope_of(viewer) for viewer in viewers}
    taken = {viewer: snapshots.page(scopes[viewer]).taken for viewer in viewers}
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    demoted.can_sign_off = False
    demoted.save(update_fields=["can_sign_off"])
    make_task(org, support, "N1", state="in_progress", created=timezone.now(), assignee=org.assignee)
    # The shared scope in every language, and the one viewer still allowed, in the language they used.
    assert snapshot_organisation.apply().get() == len(settings.LANGUAGES) + 1
    retaken = snapshots.page(scopes[org.leader])
    assert retaken.taken > taken[org.leader] and kept_matrix(retaken)[("Sales", "Purchasing")] == 8
    for viewer in (gone, demoted):
        assert snapshots.page(scopes[viewer]).taken == taken[viewer]  # left to expire
    with translation.override("zh-hans"):
        assert snapshots.page(scopes[org.leader]) is None  # they never looked in Chinese
    assert snapshot_organisation.apply(kwargs={"only_missing": True}).get() == 0


def test_the_recent_viewers_are_the_last_weeks_and_a_bounded_few(org, monkeypatch):
    monkeypatch.setattr(snapshots, "RECENT_VIEWERS", 2)
    people = [UserFactory(username=f"leader{n}", can_sign_off=True) for n in range(3)]
    start = timezone.now()
    for n, person in enumerate(people):
        with time_machine.travel(start + timedelta(days=n), tick=False):
            snapshots.shown(snapshots.scope_of(person))
    with time_machine.travel(start + timedelta(days=2, hours=1), tick=False):
        assert list(snapshots.recent_viewers()) == [people[2].pk, people[1].pk]
    with time_machine.travel(start + timedelta(days=8, hours=12), tick=False):
        assert list(snapshots.recent_viewers()) == [people[2].pk]
