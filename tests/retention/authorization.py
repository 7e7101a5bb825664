"""The retention entries of tests/test_authorization_matrix.py, in its format, which takes them with

    from tests.retention.authorization import retention_entries
    MATRIX.update(retention_entries(get, post))

Legal holds: the permission `retention.manage_legal_hold` (admins have it; `records_officer`, a
member of 销售部 in a group that holds it, is the permission holder) on what the person may see.
Someone who cannot see the item gets a 404; one who sees it without the permission, a 403; a
holder, a redirect to the item's page with a message. The list of holds is the holders' only.
"""

from documents.models import Document
from tasks.models import Task

HOLDER = {"as_involved": "records_officer", "label": "permission holder"}


def _held_only_by(*personas):
    def after(w, persona, response):
        held = Task.objects.get(pk=w.task.pk).legal_hold
        assert held == (persona in personas), (persona, held)

    return after


def _document_held_only_by(*personas):
    def after(w, persona, response):
        held = Document.objects.get(pk=w.document.pk).legal_hold
        assert held == (persona in personas), (persona, held)

    return after


def retention_entries(get, post) -> dict:
    place = {"data": lambda w: {"reason": "诉讼保全"}}
    return {
        "retention:holds": [
            get(lambda w: "/retention/holds/", outsider=403, involved=403, manager=403, admin=200),
            get(lambda w: "/retention/holds/", outsider=403, involved=200, manager=403, admin=200, **HOLDER),
        ],
        "retention:request_hold": [
            post(
                lambda w: f"/retention/holds/requests/{w.task.number}/place/",
                outsider=404,
                involved=403,
                manager=403,
                admin=302,
                after=_held_only_by("admin"),
                **place,
            ),
            post(
                lambda w: f"/retention/holds/requests/{w.task.number}/place/",
                outsider=404,
                involved=302,
                manager=403,
                admin=302,
                after=_held_only_by("admin", "involved"),
                **place,
                **HOLDER,
            ),
            # Lifting a hold that is not there: the same guards, then a message, nothing changes.
            post(
                lambda w: f"/retention/holds/requests/{w.task.number}/lift/",
                outsider=404,
                involved=302,
                manager=403,
                admin=302,
                after=_held_only_by(),
                **place,
                **HOLDER,
            ),
            post(
                lambda w: f"/retention/holds/requests/{w.foreign.number}/place/",
                outsider=403,  # the outsider filed it: sees it, lacks the permission
                involved=404,
                manager=404,
                admin=302,
                **place,
                **HOLDER,
            ),
            post(
                lambda w: f"/retention/holds/requests/{w.task.number}/freeze/", **place, **_everyone_but_anonymous(404)
            ),
        ],
        "retention:document_hold": [
            post(
                lambda w: f"/retention/holds/documents/{w.document.pk}/place/",
                outsider=404,
                involved=403,
                manager=403,
                admin=302,
                after=_document_held_only_by("admin"),
                **place,
            ),
            post(
                lambda w: f"/retention/holds/documents/{w.document.pk}/place/",
                outsider=404,
                involved=302,
                manager=403,
                admin=302,
                after=_document_held_only_by("admin", "involved"),
                **place,
                **HOLDER,
            ),
            # A 秘密 document: an admin not named for it, and a holder who is not, get a 404.
            post(
                lambda w: f"/retention/holds/documents/{w.secret.pk}/place/",
                outsider=404,
                involved=404,
                manager=403,  # 采购部's head reads it (distributed to them) but lacks the permission
                admin=404,
                as_manager="purchasing_head",
                **place,
                **HOLDER,
            ),
        ],
    }


def _everyone_but_anonymous(status: int) -> dict:
    return {"outsider": status, "involved": status, "manager": status, "admin": status}
