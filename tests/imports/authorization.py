"""The imports' entries of tests/test_authorization_matrix.py, in its format, which takes them with

    from tests.imports.authorization import import_entries
    MATRIX.update(import_entries(get, post))

Only admins (superusers) import and export the organisation and its holidays: everyone else gets
403, whatever their role. An admin with no upload waiting is sent back to the upload page from the
preview and the confirm; a refused POST saves nothing (checked in `after`).
"""

from departments.models import CalendarDay, Department

ADMINS_ONLY = {"outsider": 403, "involved": 403, "manager": 403}


def _nothing_saved(w, persona, response):
    if persona != "admin":
        assert not CalendarDay.objects.exists()
        assert not Department.objects.filter(code="plant").exists()


def import_entries(get, post) -> dict:
    return {
        "imports:upload": [
            get(lambda w: "/organisation/import/", **ADMINS_ONLY, admin=200),
            post(lambda w: "/organisation/import/", **ADMINS_ONLY, admin=400, after=_nothing_saved),  # no file
        ],
        "imports:preview": [get(lambda w: "/organisation/import/preview/", **ADMINS_ONLY, admin=302)],
        "imports:confirm": [
            get(lambda w: "/organisation/import/confirm/", outsider=405, involved=405, manager=405, admin=405),
            post(lambda w: "/organisation/import/confirm/", data=lambda w: {"token": "x"}, **ADMINS_ONLY, admin=302),
        ],
        "imports:export": [get(lambda w: "/organisation/export.xlsx", **ADMINS_ONLY, admin=200)],
        "imports:holidays": [
            get(
                lambda w: "/organisation/holidays/",
                data=lambda w: {"year": 2026, "country": "CN"},
                **ADMINS_ONLY,
                admin=200,
            ),
            post(
                lambda w: "/organisation/holidays/",
                data=lambda w: {"year": 2026, "country": "CN"},
                **ADMINS_ONLY,
                admin=302,
                after=_nothing_saved,
            ),
        ],
    }
