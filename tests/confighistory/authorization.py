"""The confighistory entries of tests/test_authorization_matrix.py, in its format, which takes them with

    from tests.confighistory.authorization import history_entries
    MATRIX.update(history_entries(get))

Admins read the whole log; a department's administrators (销售部's head, by DEPARTMENT_HEADS_ADMINISTER)
read the history of their own departments' objects; everyone else gets 403. An object with no
history, or a kind that does not exist, is 404 for everyone.
"""

from departments.models import Skill


def _skill(w) -> Skill:
    return Skill.objects.get_or_create(name="焊接", defaults={"name_en": "Welding"})[0]


def history_entries(get) -> dict:
    return {
        "confighistory:log": [
            get(lambda w: "/settings-history/", outsider=403, involved=403, manager=200, admin=200),
            get(lambda w: "/settings-history/?export=csv", outsider=403, involved=403, manager=200, admin=200),
            get(lambda w: "/settings-history/?since=not-a-date", outsider=403, involved=403, manager=200, admin=200),
        ],
        "confighistory:object": [
            get(
                lambda w: f"/settings-history/department/{w.org.sales.pk}/",
                outsider=403,
                involved=403,
                manager=200,
                admin=200,
            ),
            get(
                lambda w: f"/settings-history/department/{w.org.purchasing.pk}/",
                outsider=403,
                involved=403,
                manager=403,
                admin=200,
            ),
            get(
                lambda w: f"/settings-history/skill/{_skill(w).pk}/",
                outsider=403,
                involved=403,
                manager=403,
                admin=200,
            ),
            get(lambda w: "/settings-history/department/999999/", outsider=404, involved=404, manager=404, admin=404),
            get(lambda w: "/settings-history/no-such-kind/1/", outsider=404, involved=404, manager=404, admin=404),
        ],
    }
