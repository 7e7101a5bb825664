"""core.request_cache: role facts read once per web request, keyed by their arguments."""

from datetime import date

import pytest
from django.utils.functional import SimpleLazyObject

from core.request_cache import RequestCacheMiddleware, per_request
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_calls_are_remembered_for_one_request_by_model_and_plain_arguments():
    calls = []

    @per_request
    def facts(user, day):
        calls.append((user.pk, day))
        return [user.pk, day]

    person, other = UserFactory(), UserFactory()
    lazy = SimpleLazyObject(lambda: person)

    def view(request):
        first = facts(person, date(2026, 11, 28))
        again = facts(lazy, date(2026, 11, 28))  # the lazy request.user counts as the person
        assert again == first and again is not first  # a copy: callers may change their list
        facts(person, date(2026, 11, 29))
        facts(other, date(2026, 11, 28))
        return None

    RequestCacheMiddleware(view)(None)
    assert calls == [(person.pk, date(2026, 11, 28)), (person.pk, date(2026, 11, 29)), (other.pk, date(2026, 11, 28))]
    # Outside a request nothing is remembered.
    facts(person, date(2026, 11, 28))
    assert len(calls) == 4
