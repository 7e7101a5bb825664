"""The department administrators' entries of tests/test_authorization_matrix.py, in its format,
which takes them with

    from tests.deptadmin.authorization import deptadmin_entries
    MATRIX.update(deptadmin_entries(get, post))

The matrix's "manager" here is 采购部's head, who administers 采购部 (the organisation lets heads
administer) and nothing else; admins administer every department. One rule: a department one does
not administer is 403, hub and every page under it; an object of another department asked for
under one's own department's address is 404 (for admins too: it is not there). Employees
("outsider", "involved" = the requester of 销售部) administer nothing: 403.
"""

from datetime import timedelta

from django.utils import timezone

from departments.models import CalendarDay
from notifications.models import ImRobot
from tasks.models import RequestType

MINE = "/departments/purchasing/admin/"
THEIRS = "/departments/sales/admin/"


def _things(w):
    """Two of everything, 采购部's and 销售部's, made on first use."""
    if not hasattr(w, "sales_type"):
        org = w.org
        w.purchase_type = RequestType.objects.get(code="purchase")
        w.sales_type = RequestType.objects.create(department=org.sales, code="quote", name="报价")
        w.robot = ImRobot.objects.create(
            department=org.purchasing, name="采购群", kind="slack", url="https://hooks.example.com/services/p"
        )
        w.other_robot = ImRobot.objects.create(
            department=org.sales, name="销售群", kind="slack", url="https://hooks.example.com/services/s"
        )
        day = timezone.localdate() + timedelta(30)
        w.day = CalendarDay.objects.create(date=day, kind="workday", department=org.purchasing)
        w.other_day = CalendarDay.objects.create(date=day, kind="workday", department=org.sales)
    return w


def _robot_data(w):
    return {"name": "新群", "kind": "slack", "url": "https://hooks.example.com/services/n", "is_active": "on"}


def deptadmin_entries(get, post) -> dict:
    P = "purchasing_head"
    mine = {"outsider": 403, "involved": 403, "manager": 200, "admin": 200, "as_manager": P}
    theirs = {"outsider": 403, "involved": 403, "manager": 403, "admin": 200, "as_manager": P}
    done = {"outsider": 403, "involved": 403, "manager": 302, "admin": 302, "as_manager": P}
    absent = {"outsider": 403, "involved": 403, "manager": 404, "admin": 404, "as_manager": P}
    return {
        "deptadmin:index": [
            # One department: straight to its hub; an admin's every department: the list.
            get(lambda w: "/administer/", outsider=403, involved=403, manager=302, admin=200, as_manager=P),
        ],
        "deptadmin:hub": [
            get(lambda w: MINE, **mine),
            get(lambda w: THEIRS, **theirs),
            get(lambda w: "/departments/no-such/admin/", outsider=404, involved=404, manager=404, admin=404),
        ],
        "deptadmin:dispatch": [
            get(lambda w: f"{MINE}dispatch/", **mine),
            get(lambda w: f"{THEIRS}dispatch/", **theirs),
        ],
        "deptadmin:dispatch_edit": [
            get(lambda w: f"{MINE}dispatch/{_things(w).purchase_type.pk}/", **mine),
            post(
                lambda w: f"{MINE}dispatch/{_things(w).purchase_type.pk}/",
                data=lambda w: {"auto_assign": "round_robin"},
                **done,
            ),
            # 销售部's type under 采购部's address, and under its own.
            post(
                lambda w: f"{MINE}dispatch/{_things(w).sales_type.pk}/",
                data=lambda w: {"auto_assign": "round_robin"},
                **absent,
            ),
            get(lambda w: f"{THEIRS}dispatch/{_things(w).sales_type.pk}/", **theirs),
        ],
        "deptadmin:skills": [get(lambda w: f"{MINE}skills/", **mine), get(lambda w: f"{THEIRS}skills/", **theirs)],
        "deptadmin:skills_edit": [
            get(lambda w: f"{MINE}skills/assignee/", **mine),
            post(lambda w: f"{MINE}skills/assignee/", data=lambda w: {}, **done),
            # The requester is of 销售部, not 采购部.
            post(lambda w: f"{MINE}skills/requester/", data=lambda w: {}, **absent),
            get(lambda w: f"{THEIRS}skills/requester/", **theirs),
        ],
        "deptadmin:robots": [get(lambda w: f"{MINE}robots/", **mine), get(lambda w: f"{THEIRS}robots/", **theirs)],
        "deptadmin:robot_new": [
            get(lambda w: f"{MINE}robots/new/", **mine),
            post(lambda w: f"{MINE}robots/new/", data=_robot_data, **done),
            post(lambda w: f"{THEIRS}robots/new/", data=_robot_data, **{**theirs, "admin": 302}),
        ],
        "deptadmin:robot_edit": [
            get(lambda w: f"{MINE}robots/{_things(w).robot.pk}/", **mine),
            post(lambda w: f"{MINE}robots/{_things(w).robot.pk}/", data=_robot_data, **done),
            post(lambda w: f"{MINE}robots/{_things(w).other_robot.pk}/", data=_robot_data, **absent),
            get(lambda w: f"{THEIRS}robots/{_things(w).other_robot.pk}/", **theirs),
        ],
        "deptadmin:robot_delete": [
            get(
                lambda w: f"{MINE}robots/{_things(w).robot.pk}/delete/",
                outsider=405,
                involved=405,
                manager=405,
                admin=405,
                as_manager=P,
            ),
            post(lambda w: f"{MINE}robots/{_things(w).robot.pk}/delete/", **done),
            post(lambda w: f"{MINE}robots/{_things(w).other_robot.pk}/delete/", **absent),
            post(lambda w: f"{THEIRS}robots/{_things(w).other_robot.pk}/delete/", **{**theirs, "admin": 302}),
        ],
        "deptadmin:robot_test": [
            post(lambda w: f"{MINE}robots/{_things(w).robot.pk}/test/", **done),
            post(lambda w: f"{MINE}robots/{_things(w).other_robot.pk}/test/", **absent),
        ],
        "deptadmin:calendar": [
            get(lambda w: f"{MINE}calendar/", **mine),
            post(
                lambda w: f"{MINE}calendar/",
                data=lambda w: {"date": (timezone.localdate() + timedelta(40)).isoformat(), "kind": "holiday"},
                **done,
            ),
            get(lambda w: f"{THEIRS}calendar/", **theirs),
        ],
        "deptadmin:calendar_delete": [
            post(lambda w: f"{MINE}calendar/{_things(w).day.pk}/delete/", **done),
            post(lambda w: f"{MINE}calendar/{_things(w).other_day.pk}/delete/", **absent),
            post(lambda w: f"{THEIRS}calendar/{_things(w).other_day.pk}/delete/", **{**theirs, "admin": 302}),
        ],
    }
