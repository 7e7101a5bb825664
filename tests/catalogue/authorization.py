"""The catalogue's entries of tests/test_authorization_matrix.py, in its format, which takes them with

    from tests.catalogue.authorization import catalogue_entries
    MATRIX.update(catalogue_entries(get, post))

采购部's head administers 采购部, so its purchase type is theirs (200 / 302); 销售部's head
administers 销售部 only: the list and the new-type page are theirs (200), 采购部's type is not
(404, as for everyone else who does not administer it). People who administer nothing get 403 on
the list and the new-type page. A refused POST leaves the draft untouched (checked in `after`).
"""

from tasks.models import RequestType

NOBODY = {"outsider": 403, "involved": 403}
NOT_THEIRS = {"outsider": 404, "involved": 404}


def _untouched(w, persona, response):
    if persona in ("outsider", "involved") or (persona == "manager" and response.status_code == 404):
        request_type = RequestType.objects.get(code="purchase")
        assert request_type.draft is None and request_type.current_version_id is None


def _type_checks(method, path, data=None, ok=200):
    """The type's page for 采购部's head and for 销售部's head (who does not administer 采购部)."""
    kwargs = {"data": (lambda w: data)} if data is not None else {}
    after = {"after": _untouched} if method.__name__ == "post" else {}
    return [
        method(lambda w: path, **NOT_THEIRS, manager=ok, admin=ok, as_manager="purchasing_head", **kwargs, **after),
        method(lambda w: path, **NOT_THEIRS, manager=404, admin=ok, **kwargs, **after),
    ]


def catalogue_entries(get, post) -> dict:
    return {
        "catalogue:list": [get(lambda w: "/catalogue/", **NOBODY, manager=200, admin=200)],
        "catalogue:create": [
            get(lambda w: "/catalogue/new/", **NOBODY, manager=200, admin=200),
            post(lambda w: "/catalogue/new/", data=lambda w: {"code": "x"}, **NOBODY, manager=200, admin=200),
        ],
        "catalogue:type": _type_checks(get, "/catalogue/purchase/"),
        "catalogue:guide": _type_checks(get, "/catalogue/purchase/guide/")
        + _type_checks(post, "/catalogue/purchase/guide/", {"name": ""}, ok=200),
        "catalogue:fields": _type_checks(get, "/catalogue/purchase/fields/"),
        "catalogue:field_add": _type_checks(get, "/catalogue/purchase/fields/new/")
        + _type_checks(post, "/catalogue/purchase/fields/new/", {"key": "amount"}, ok=200),
        "catalogue:field_edit": _type_checks(get, "/catalogue/purchase/fields/amount/"),
        "catalogue:field_delete": [get(lambda w: "/catalogue/purchase/fields/amount/delete/", **everyone(405))]
        + _type_checks(post, "/catalogue/purchase/fields/amount/delete/", {}, ok=302),
        "catalogue:field_move": _type_checks(post, "/catalogue/purchase/fields/amount/move/", {}, ok=302),
        "catalogue:steps": _type_checks(get, "/catalogue/purchase/route/"),
        "catalogue:step_add": _type_checks(get, "/catalogue/purchase/route/new/")
        + _type_checks(post, "/catalogue/purchase/route/new/", {"approver": "users"}, ok=200),
        "catalogue:step_edit": _type_checks(get, "/catalogue/purchase/route/1/"),
        "catalogue:step_delete": _type_checks(post, "/catalogue/purchase/route/9/delete/", {}, ok=302),
        "catalogue:step_move": _type_checks(post, "/catalogue/purchase/route/9/move/", {}, ok=302),
        "catalogue:preview": _type_checks(get, "/catalogue/purchase/preview/")
        + _type_checks(post, "/catalogue/purchase/preview/", {"f_amount": "1"}, ok=200),
        "catalogue:publish": [get(lambda w: "/catalogue/purchase/publish/", **everyone(405))]
        + _type_checks(post, "/catalogue/purchase/publish/", {}, ok=302),
        "catalogue:retire": _type_checks(post, "/catalogue/purchase/retire/", {}, ok=302),
        "catalogue:reinstate": _type_checks(post, "/catalogue/purchase/reinstate/", {}, ok=302),
        "catalogue:discard": _type_checks(post, "/catalogue/purchase/discard/", {}, ok=302),
        "catalogue:restore": _type_checks(post, "/catalogue/purchase/versions/1/restore/", {}, ok=404),
        # purchase is never published in the matrix: no version 1 (404 for its administrators too).
        "catalogue:republish": _type_checks(get, "/catalogue/purchase/versions/1/publish/", ok=404)
        + _type_checks(post, "/catalogue/purchase/versions/1/publish/", {}, ok=404),
    }


def everyone(status):
    return {"outsider": status, "involved": status, "manager": status, "admin": status}
