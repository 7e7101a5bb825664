"""Global search: the tokeniser, the index kept up to date, ranking (PostgreSQL) and visibility."""

import pytest
from django.core.management import call_command
from django.db import connection

from documents.models import Document
from reports import search
from reports.models import SearchEntry
from tests.conftest import login
from tests.reports.conftest import make_task


def test_tokeniser_makes_cjk_unigrams_and_bigrams_and_lowercases_latin():
    assert search.tokenise("采购申请 ERP-2026") == ["采", "购", "申", "请", "采购", "购申", "申请", "erp", "2026"]
    assert search.query_tokens("采购申请") == ["采购", "购申", "申请"]
    assert search.query_tokens("采") == ["采"]
    assert search.query_tokens("!!!  ") == []


@pytest.fixture
def indexed(org, support, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for person in (org.requester, org.assignee):
            person.save()
        laptops = make_task(org, support, "REQ-1", state="in_progress", created=_now(), title="采购笔记本电脑")
        make_task(
            org,
            support,
            "REQ-2",
            state="in_progress",
            created=_now(),
            title="会议安排",
            description="顺便采购笔记本电脑的配件",
        )
        secret = make_task(
            org,
            support,
            "REQ-3",
            state="in_progress",
            created=_now(),
            title="保密采购笔记本电脑",
            requester=org.outsider,
            requesting_department=org.hr,
            confidential=True,
        )
        document = Document.objects.create(
            kind="notice",
            title="关于采购笔记本电脑的通知",
            recipients="各部门",
            body="正文",
            department=org.hr,
            drafter=org.outsider,
        )
    return {"laptops": laptops, "secret": secret, "document": document}


def _now():
    from django.utils import timezone

    return timezone.now()


def test_saving_keeps_the_index_up_to_date(org, indexed, django_capture_on_commit_callbacks):
    assert SearchEntry.objects.filter(kind="task").count() == 3
    assert SearchEntry.objects.filter(kind="person", title="张三").exists()
    with django_capture_on_commit_callbacks(execute=True):
        task = indexed["laptops"]
        task.title = "采购打印机"
        task.save()
    assert [hit.object_id for hit in search.search(org.admin, "打印机")] == [task.pk]
    with django_capture_on_commit_callbacks(execute=True):
        task.delete()
    assert not search.search(org.admin, "打印机")


def test_results_respect_visibility(org, indexed):
    titles = {hit.title for hit in search.search(org.admin, "笔记本")}
    assert len(titles) == 4
    # The requester (sales) sees their two requests, not hr's confidential one nor hr's draft document.
    titles = {hit.title for hit in search.search(org.requester, "笔记本")}
    assert titles == {"REQ-1 采购笔记本电脑", "REQ-2 会议安排"}
    # The outsider drafted the document and filed the confidential request.
    kinds = sorted(hit.kind for hit in search.search(org.outsider, "笔记本"))
    assert kinds == ["document", "task"]
    assert [hit.kind for hit in search.search(org.outsider, "笔记本", kinds=("document",))] == ["document"]


def test_people_are_found_by_name(org, indexed):
    assert [hit.title for hit in search.search(org.requester, "钱四")] == ["钱四"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text ranking is PostgreSQL's")
def test_title_matches_rank_above_body_matches_on_postgresql(org, indexed):
    hits = search.search(org.requester, "采购笔记本")
    assert [hit.title for hit in hits] == ["REQ-1 采购笔记本电脑", "REQ-2 会议安排"]
    assert hits[0].rank > hits[1].rank
    # Latin words match by prefix.
    assert [hit.title for hit in search.search(org.admin, "req-1")][0].startswith("REQ-1")


def test_rebuild_command_recreates_the_index(org, indexed):
    SearchEntry.objects.all().delete()
    call_command("rebuild_search_index", quiet=True)
    assert SearchEntry.objects.filter(kind="task").count() == 3
    assert SearchEntry.objects.filter(kind="document").count() == 1
    assert {hit.title for hit in search.search(org.requester, "笔记本")} == {"REQ-1 采购笔记本电脑", "REQ-2 会议安排"}


def test_search_page(client, org, indexed):
    login(client, org.requester)
    page = client.get("/search/", {"q": "笔记本"})
    body = page.content.decode()
    assert page.status_code == 200 and "REQ-1" in body and "保密" not in body
    assert client.get("/search/", {"q": "!!!"}).context["too_short"]
    assert client.get("/search/", {"q": "x" * 5000, "kind": "nonsense"}).status_code == 200


def test_teams_are_found_by_name_and_goal_private_ones_by_their_people_only(org, django_capture_on_commit_callbacks):
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from teams.models import Team, TeamMember

    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=True):
        for name, private in [("新品上市团队", False), ("并购筹备组", True)]:
            team = Team.objects.create(
                name=name,
                goal="提升华东区市场份额",
                metric="份额",
                baseline=Decimal(1),
                target_value=Decimal(2),
                starts_on=today,
                deadline=today + timedelta(days=30),
                lead=org.sales_head,
                created_by=org.sales_head,
                private=private,
            )
            TeamMember.objects.create(team=team, user=org.requester, department=org.sales)
    assert {hit.title for hit in search.search(org.requester, "华东市场", kinds=("team",))} == set()
    assert {hit.title for hit in search.search(org.requester, "华东区", kinds=("team",))} == {
        "新品上市团队",
        "并购筹备组",
    }
    assert {hit.title for hit in search.search(org.outsider, "华东区")} == {"新品上市团队"}


def test_search_page_uses_a_fixed_number_of_queries(client, org, support, django_capture_on_commit_callbacks):
    from django.test.utils import CaptureQueriesContext

    def add(n):
        with django_capture_on_commit_callbacks(execute=True):
            for _ in range(n):
                add.count += 1
                make_task(org, support, f"Q-{add.count}", state="in_progress", created=_now(), title="打印机维修")

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            page = client.get("/search/", {"q": "打印机"})
        assert page.status_code == 200
        return len(ctx.captured_queries), len(page.context["hits"])

    add.count = 0
    login(client, org.requester)
    add(2)
    few, shown = queries()
    add(30)
    many, shown_many = queries()
    assert (shown, shown_many) == (2, 32) and many == few


@pytest.mark.django_db
def test_seed_demo_leaves_a_searchable_index():
    call_command("seed_demo", quiet=True)
    assert SearchEntry.objects.filter(kind="task").exists() and SearchEntry.objects.filter(kind="person").exists()
    from departments.models import User

    admin = User.objects.get(username="admin")
    assert search.search(admin, "采购")


def test_rebuild_in_small_batches_indexes_every_row_once(org, indexed):
    """Batches follow the primary key: a batch smaller than the table still covers every row once."""
    SearchEntry.objects.all().delete()
    counts = search.rebuild(batch_size=2)
    assert counts["task"] == 3 and SearchEntry.objects.filter(kind="task").count() == 3
    assert SearchEntry.objects.filter(kind="task").values("object_id").distinct().count() == 3


def test_a_request_is_indexed_once_when_filed_and_again_only_when_its_words_change(
    org, support, django_capture_on_commit_callbacks
):
    from django.test.utils import CaptureQueriesContext

    from tasks import services
    from tasks.models import Task

    def index_writes(action) -> int:
        with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
            action()
        return sum("reports_searchentry" in q["sql"] and "SELECT" not in q["sql"][:7] for q in queries)

    per_store = 2 if connection.vendor == "postgresql" else 1  # the row, then its vector
    box = {}
    filed = index_writes(
        lambda: box.update(
            task=services.task_create(by=org.requester, request_type=support, title="咨询报销流程", submit=True)
        )
    )
    assert filed == per_store  # created and submitted in one transaction: one entry written
    task = Task.objects.get(pk=box["task"].pk)  # as a page reads it
    assert index_writes(lambda: services.task_accept(task=task, by=org.purchasing_head, assignee=org.assignee)) == 0
    task = Task.objects.get(pk=task.pk)
    task.title = "咨询差旅报销"
    assert index_writes(task.save) == per_store
    assert [hit.object_id for hit in search.search(org.admin, "差旅")] == [task.pk]
    assert index_writes(task.save) == 0  # saved again, nothing new to say


def test_each_query_reads_one_kind_and_hits_merge_best_first(org, indexed):
    """Each kind is searched on its own (joined to its own table's visible rows), in a bounded
    number of queries whatever matches; the kinds' hits are merged in Python."""
    from django.test.utils import CaptureQueriesContext

    def index_reads(**kwargs):
        with CaptureQueriesContext(connection) as ctx:
            hits = search.search(org.outsider, "笔记本", **kwargs)
        reads = [q["sql"] for q in ctx.captured_queries if "reports_searchentry" in q["sql"]]
        for sql in reads:
            assert sum(f"'{kind}'" in sql for kind in search.KINDS) == 1, sql
        return len(reads), hits

    reads, hits = index_reads()
    assert len(search.KINDS) <= reads <= 3 * len(search.KINDS)
    assert sorted(hit.kind for hit in hits) == ["document", "task"]
    assert [hit.rank for hit in hits] == sorted((hit.rank for hit in hits), reverse=True)
    reads, hits = index_reads(kinds=("task",))
    assert 1 <= reads <= 3 and [hit.object_id for hit in hits] == [indexed["secret"].pk]


def test_an_inactive_person_is_not_found_even_while_still_indexed(org, indexed):
    from departments.models import User

    assert [hit.title for hit in search.search(org.requester, "钱四")] == ["钱四"]
    # A queryset update sends no signal: the entry stays, the visibility join leaves it out.
    User.objects.filter(display_name="钱四").update(is_active=False)
    assert SearchEntry.objects.filter(kind="person", title="钱四").exists()
    assert search.search(org.requester, "钱四") == []


def test_a_search_ranks_the_recent_window_first_and_older_matches_only_to_fill_a_page(
    org, support, monkeypatch, django_capture_on_commit_callbacks
):
    """The window is of the newest objects, visible or not; what the user may not see in it does
    not count towards the page, and older matches are ranked only when the window fills none."""
    with django_capture_on_commit_callbacks(execute=True):
        oldest = make_task(org, support, "P-1", state="in_progress", created=_now(), title="打印机 打印机 打印机")
        seen = [
            make_task(org, support, f"P-{n}", state="in_progress", created=_now(), title=f"维修打印机 {n}")
            for n in (2, 3)
        ]
        hidden = [  # hr's confidential requests: not the requester's to see
            make_task(
                org,
                support,
                f"P-{n}",
                state="in_progress",
                created=_now(),
                title=f"打印机 {n}",
                requester=org.outsider,
                requesting_department=org.hr,
                confidential=True,
            )
            for n in (4, 5, 6)
        ]
    everything = {oldest.pk, *(task.pk for task in seen)}
    assert {hit.object_id for hit in search.search(org.requester, "打印机")} == everything
    monkeypatch.setattr(search, "RECENT_WINDOW", hidden[-1].pk - seen[0].pk + 1)  # from seen[0] on
    assert [hit.object_id for hit in search.search(org.requester, "打印机", limit=1)] == [seen[1].pk]
    assert {hit.object_id for hit in search.search(org.requester, "打印机", limit=2)} == {t.pk for t in seen}
    assert {hit.object_id for hit in search.search(org.requester, "打印机", limit=3)} == everything
    monkeypatch.setattr(search, "RECENT_WINDOW", 1)  # the newest, hidden: every match comes from before it
    assert {hit.object_id for hit in search.search(org.requester, "打印机")} == everything


def test_the_document_register_filter_ranks_every_match_not_a_recent_window(org, monkeypatch):
    documents = [
        Document.objects.create(
            kind="notice",
            title=f"采购通知 {n}",
            recipients="各部门",
            body="正文",
            department=org.hr,
            drafter=org.outsider,
        )
        for n in range(3)
    ]
    search.store([search.entry_for_document(document) for document in documents])
    monkeypatch.setattr(search, "RECENT_WINDOW", 1)
    found = search.ranked_documents(org.outsider, "采购通知")
    assert sorted(found.values_list("object_id", flat=True)) == sorted(d.pk for d in documents)
    assert not search.ranked_documents(org.requester, "采购通知").exists()  # hr's drafts are not sales'


def test_a_head_finds_old_requests_with_a_rare_word_and_never_one_they_may_not_see(
    org, support, monkeypatch, django_capture_on_commit_callbacks
):
    """Outside the recent window a head's search is answered from the requests they may see: an old
    request of their department and one they are CC'd on are found, hr's confidential request, a
    colleague's draft and hr's ordinary request with the same words are not."""
    with django_capture_on_commit_callbacks(execute=True):
        theirs = make_task(org, support, "R-1", state="done", created=_now(), title="批量复印机 12")
        cc = make_task(
            org,
            support,
            "R-2",
            state="in_progress",
            created=_now(),
            title="批量复印机 120",
            requester=org.outsider,
            requesting_department=org.hr,
        )
        cc.watchers.add(org.sales_head)
        hidden = [
            make_task(
                org,
                support,
                "R-3",
                state="in_progress",
                created=_now(),
                title="批量复印机 121",
                requester=org.outsider,
                requesting_department=org.hr,
                confidential=True,
            ),
            make_task(org, support, "R-4", state="draft", created=_now(), title="批量复印机 122"),
            make_task(
                org,
                support,
                "R-5",
                state="in_progress",
                created=_now(),
                title="批量复印机 123",
                requester=org.outsider,
                requesting_department=org.hr,
            ),
        ]
        # Newer requests of the head's department with the common word only: the window's.
        newer = [
            make_task(org, support, f"R-{n}", state="in_progress", created=_now(), title=f"批量事务 {n}")
            for n in range(6, 10)
        ]
    monkeypatch.setattr(search, "RECENT_WINDOW", newer[-1].pk - newer[0].pk + 1)
    found = [hit.object_id for hit in search.search(org.sales_head, "批量复印机 12", kinds=("task",))]
    assert sorted(found) == sorted([theirs.pk, cc.pk])
    assert not {task.pk for task in hidden} & set(found)
    assert {hit.object_id for hit in search.search(org.sales_head, "批量", kinds=("task",))} == {
        theirs.pk,
        cc.pk,
        *(task.pk for task in newer),
    }
    # Whoever may see everything finds every submitted one, drafts aside.
    assert {hit.object_id for hit in search.search(org.admin, "批量复印机 12", kinds=("task",))} == {
        theirs.pk,
        cc.pk,
        hidden[0].pk,
        hidden[2].pk,
    }
