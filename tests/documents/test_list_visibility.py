"""The documents list and a document's page show what the visibility rule
(documents.selectors.visible_documents) lets each person see."""

import pytest

from documents import services
from documents.models import Document
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_the_list_and_the_page_show_what_each_person_may_see(client, org):
    def draft(by, title, state="draft", **departments):
        document = services.document_create(
            by=by, kind="notice", title=title, recipients="各部门", body="正文", **departments
        )
        Document.objects.filter(pk=document.pk).update(state=state)
        return document

    draft(org.requester, "销售部草稿")
    draft(org.requester, "会签中", "countersigning", countersign_departments=[org.purchasing])
    draft(org.outsider, "人力已分发", "distributed", recipient_departments=[org.sales])
    draft(org.outsider, "人力未分发", "signing", recipient_departments=[org.sales])
    draft(org.assignee, "采购部草稿")
    org.hr.document_reviewers.add(org.sales_deputy)
    people = [org.leader, org.admin, org.sales_head, org.sales_deputy, org.requester, org.assignee, org.outsider]
    seen = {}
    for user in people:
        login(client, user)
        shown = client.get("/documents/?scope=all").context["documents"]
        mine = client.get("/documents/?scope=mine").context["documents"]
        assert [d.pk for d in mine] == [d.pk for d in shown if d.drafter_id == user.pk], user.username
        assert [d.created_at for d in shown] == sorted((d.created_at for d in shown), reverse=True)
        for document in Document.objects.all():
            status = client.get(f"/documents/{document.pk}/").status_code
            assert status == (200 if document in shown else 404), (user.username, document.title)
        assert client.get(f"/documents/{10**30}/").status_code == 404  # a huge id in the address: no error
        seen[user.username] = {d.title for d in shown}
    # each rule lets someone see something the others do not
    assert seen["admin"] == set(Document.objects.values_list("title", flat=True))
    assert "会签中" in seen["assignee"] and "人力已分发" in seen["requester"] and "人力未分发" not in seen["requester"]
    assert "人力未分发" in seen["leader"] and "人力未分发" in seen["sales_deputy"]
    assert seen["outsider"] == {"人力已分发", "人力未分发"}
    assert "销售部草稿" in seen["sales_head"] and "采购部草稿" not in seen["sales_head"]
