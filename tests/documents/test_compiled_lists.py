"""The documents list and a document's page read through a query compiled once per process
(documents.selectors.documents_for); they must show what visible_documents gives through the ORM."""

import pytest

from documents import selectors, services
from documents.models import Document

pytestmark = pytest.mark.django_db


def test_documents_for_shows_what_the_visibility_rule_gives(org):
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
    for user in people:
        expected = list(selectors.visible_documents(user).order_by("-created_at"))
        assert selectors.documents_for(user, "all") == expected, user.username
        assert selectors.documents_for(user, "mine") == [d for d in expected if d.drafter_id == user.pk]
        for document in Document.objects.all():
            assert selectors.documents_for(user, "one", document.pk) == [d for d in expected if d == document]
        assert selectors.documents_for(user, "one", 10**30) == []  # an address with a huge id: nothing, no error
    # each rule lets someone see something the others do not
    seen = {user.username: {d.title for d in selectors.documents_for(user, "all")} for user in people}
    assert "会签中" in seen["assignee"] and "人力已分发" in seen["requester"] and "人力未分发" not in seen["requester"]
    assert "人力未分发" in seen["leader"] and "人力未分发" in seen["sales_deputy"]
    assert seen["outsider"] == {"人力已分发", "人力未分发"}
