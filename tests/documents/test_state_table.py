"""The document state machine as a table: in each state, what each role may do (documents.rules.can,
which the pages ask and the services check again under a row lock)."""

import pytest

from documents import rules, services

pytestmark = pytest.mark.django_db

ACTIONS = (
    "edit",
    "submit",
    "withdraw",
    "review",
    "countersign",
    "sign_off",
    "distribute",
    "acknowledge",
    "remind",
    "archive",
    "render",
)

# state → role → actions allowed. Roles: the drafter (销售部), 销售部's head, 采购部's head (countersigns),
# the leader (signs off), a member of 人力资源部 (a recipient department), and 采购部's member (nobody here).
TABLE = {
    "draft": {"drafter": {"edit", "submit", "render"}, "head": {"render"}},
    "reviewing": {"drafter": {"withdraw", "render"}, "head": {"review", "render"}, "leader": {"render"}},
    "countersigning": {
        "drafter": {"render"},
        "head": {"render"},
        "countersigner": {"countersign"},
        "leader": {"render"},
    },
    "pending_issue": {"drafter": {"render"}, "head": {"render"}, "leader": {"sign_off", "render"}},
    "issued": {"drafter": {"distribute", "render"}, "head": {"distribute", "render"}, "leader": {"render"}},
    "distributed": {
        "drafter": {"remind", "render"},
        "head": {"remind", "archive", "render"},
        "leader": {"render"},
        "recipient": {"acknowledge"},
    },
    "archived": {"drafter": {"render"}, "head": {"render"}, "leader": {"render"}},
}


def advance(org, document, state):
    steps = ["draft", "reviewing", "countersigning", "pending_issue", "issued", "distributed", "archived"]
    target = steps.index(state)
    if target >= 1:
        services.document_submit(document=document, by=org.requester)
    if target >= 2:
        services.document_review(document=document, by=org.sales_head, agree=True)
    if target >= 3:
        services.document_countersign(document=document, by=org.purchasing_head, department=org.purchasing, agree=True)
    if target >= 4:
        services.document_sign_off(document=document, by=org.leader)
    if target >= 5:
        services.document_distribute(document=document, by=org.requester)
    if target >= 6:
        services.document_acknowledge(document=document, by=org.outsider, department=org.hr)
        services.document_archive(document=document, by=org.sales_head)
    document.refresh_from_db()
    assert document.state == state
    return document


@pytest.mark.parametrize("state", list(TABLE))
def test_who_may_do_what_in_each_state(org, state, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    document = services.document_create(
        by=org.requester,
        kind="notice",
        title="关于年终盘点的通知",
        recipients="人力资源部",
        body="请于月底前完成盘点。",
        countersign_departments=[org.purchasing],
        recipient_departments=[org.hr],
    )
    document = advance(org, document, state)
    roles = {
        "drafter": org.requester,
        "head": org.sales_head,
        "countersigner": org.purchasing_head,
        "leader": org.leader,
        "recipient": org.outsider,
        "nobody": org.assignee,
    }
    actual = {role: {a for a in ACTIONS if rules.can(person, a, document)} for role, person in roles.items()}
    expected = {role: TABLE[state].get(role, set()) for role in roles}
    assert actual == expected
