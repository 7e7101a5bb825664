"""Department administrators: named by admins, or the head and deputies when the organisation says so."""

from departments.selectors import departments_administered_by
from tests.factories import UserFactory


def codes(user):
    return sorted(departments_administered_by(user).values_list("code", flat=True))


def test_heads_and_deputies_administer_their_own_department_only(org):
    assert codes(org.purchasing_head) == ["purchasing"]
    assert codes(org.sales_deputy) == ["sales"]
    assert org.purchasing_head.has_perm("departments.administer", org.purchasing)
    assert not org.purchasing_head.has_perm("departments.administer", org.sales)
    assert codes(org.requester) == []
    assert not org.requester.has_perm("departments.administer", None)


def test_named_administrator_administers_without_being_head(org):
    clerk = UserFactory(username="hr_clerk")
    org.hr.administrators.add(clerk)
    assert codes(clerk) == ["hr"]
    assert clerk.has_perm("departments.administer", org.hr)
    assert clerk.has_perm("departments.administer", None)


def test_heads_do_not_administer_when_the_organisation_turns_it_off(org, settings):
    settings.DEPARTMENT_HEADS_ADMINISTER = False
    assert codes(org.purchasing_head) == []
    org.purchasing.administrators.add(org.purchasing_head)
    assert codes(org.purchasing_head) == ["purchasing"]


def test_admins_administer_every_department_and_inactive_people_none(org):
    assert codes(org.admin) == sorted(["hq", "sales", "purchasing", "hr"])
    org.purchasing_head.is_active = False
    org.purchasing_head.save()
    assert codes(org.purchasing_head) == []
