"""The webhooks' entries of tests/test_authorization_matrix.py, in its format, which takes them with

    from tests.webhooks.authorization import webhook_entries
    MATRIX.update(webhook_entries(get, post, everyone))

The world has two endpoints: 销售部's (the matrix's "manager" is its head) with one delivered
message, and 采购部's, which the head of 销售部 must not find. Employees ("outsider", "involved")
manage no webhooks: 403 on every page.
"""

from webhooks.models import Delivery, Endpoint, Event

PUBLIC = "https://93.184.216.34/hooks"


def _endpoints(w):
    """The world's endpoints, made on first use."""
    if not hasattr(w, "endpoint"):
        org = w.org
        w.endpoint = Endpoint.objects.create(
            name="销售 CRM", url=PUBLIC, department=org.sales, events=[Event.REQUEST_FILED], created_by=org.sales_head
        )
        w.other_endpoint = Endpoint.objects.create(
            name="采购 ERP",
            url=PUBLIC,
            department=org.purchasing,
            events=[Event.REQUEST_FILED],
            created_by=org.purchasing_head,
        )
        w.delivery = Delivery.objects.create(
            endpoint=w.endpoint,
            key="request.filed:log:1",
            message_id="msg_world",
            event=Event.REQUEST_FILED,
            body="{}",
            status=Delivery.Status.SENT,
            attempts=1,
            response_code=200,
        )
    return w.endpoint


def _other(w):
    _endpoints(w)
    return w.other_endpoint


def _status_kept(expected_status):
    def after(w, persona, response):
        status = Endpoint.objects.get(pk=w.endpoint.pk).status
        changed = persona in ("manager", "admin")
        assert status == (expected_status if changed else "active"), persona

    return after


def _deleted_by_managers_only(w, persona, response):
    assert Endpoint.objects.filter(pk=w.endpoint.pk).exists() != (persona in ("manager", "admin")), persona
    assert Endpoint.objects.filter(pk=w.other_endpoint.pk).exists()


def webhook_entries(get, post, everyone):
    mine = {"outsider": 403, "involved": 403, "manager": 200, "admin": 200}
    act = {"outsider": 403, "involved": 403, "manager": 302, "admin": 302}
    theirs = {"outsider": 403, "involved": 403, "manager": 404, "admin": 200}
    theirs_act = {"outsider": 403, "involved": 403, "manager": 404, "admin": 302}
    return {
        "webhooks:list": [get(lambda w: "/webhooks/", **mine)],
        "webhooks:new": [get(lambda w: "/webhooks/new/", **mine)],
        "webhooks:detail": [
            get(lambda w: f"/webhooks/{_endpoints(w).pk}/", **mine),
            get(lambda w: f"/webhooks/{_other(w).pk}/", **theirs),
            get(lambda w: "/webhooks/999999/", outsider=403, involved=403, manager=404, admin=404),
        ],
        "webhooks:edit": [
            get(lambda w: f"/webhooks/{_endpoints(w).pk}/edit/", **mine),
            get(lambda w: f"/webhooks/{_other(w).pk}/edit/", **theirs),
        ],
        "webhooks:rotate": [
            post(lambda w: f"/webhooks/{_endpoints(w).pk}/rotate/", **act),
            post(lambda w: f"/webhooks/{_other(w).pk}/rotate/", **theirs_act),
        ],
        "webhooks:pause": [
            post(lambda w: f"/webhooks/{_endpoints(w).pk}/pause/", **act, after=_status_kept("paused")),
            post(lambda w: f"/webhooks/{_other(w).pk}/pause/", **theirs_act),
        ],
        "webhooks:resume": [
            # Not paused: the managers get a message and the endpoint stays as it was.
            post(lambda w: f"/webhooks/{_endpoints(w).pk}/resume/", **act, after=_status_kept("active")),
        ],
        "webhooks:delete": [
            post(lambda w: f"/webhooks/{_endpoints(w).pk}/delete/", **act, after=_deleted_by_managers_only),
        ],
        "webhooks:resend": [
            post(lambda w: f"/webhooks/{_endpoints(w).pk}/deliveries/{w.delivery.pk}/resend/", **act),
            # 销售部's delivery asked for under 采购部's endpoint: no such delivery there, for anyone.
            post(
                lambda w: f"/webhooks/{_other(w).pk}/deliveries/{_endpoints(w) and w.delivery.pk}/resend/",
                outsider=403,
                involved=403,
                manager=404,
                admin=404,
            ),
        ],
    }
