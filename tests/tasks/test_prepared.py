"""collab_portal.prepared: a query compiled once per shape gives what the same queryset gives when
Django builds and compiles it on each call, and refuses builders it cannot serve."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from collab_portal.prepared import Prepared
from departments.models import Department, User
from tasks.models import Task

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="compiled once on PostgreSQL only")


def _departments(parent=None, *, codes: list[int]):
    departments = Department.objects.filter(pk__in_array=codes).select_related("head").order_by("code")
    if parent == "under":
        departments = departments.filter(parent__isnull=False)
    return departments


def test_results_are_those_of_the_queryset_built_each_time(org):
    query = Prepared(_departments)
    for ids in ([org.sales.pk], [org.sales.pk, org.hr.pk, org.hq.pk], [], [999_999]):
        for shape in ((), ("under",)):
            got = query(*shape, codes=ids)
            expected = list(_departments(*shape, codes=ids))
            assert got == expected, (ids, shape)
            # select_related came along: the head is on the instance, no query to read it
            with CaptureQueriesContext(connection) as reading:
                [d.head for d in got]
            assert len(reading) == 0


@on_postgresql
def test_a_shape_is_built_and_compiled_once_then_only_bound(org):
    build = mock.Mock(side_effect=_departments)
    query = Prepared(build)
    query(codes=[org.sales.pk])
    assert build.call_count == 2  # the two stand-in sets the first call checks the builder with
    for ids in ([org.hr.pk], [org.hq.pk, org.sales.pk], []):
        assert [d.pk for d in query(codes=ids)] == sorted(ids, key=lambda pk: Department.objects.get(pk=pk).code)
    assert build.call_count == 2
    query("under", codes=[org.sales.pk])
    assert build.call_count == 4  # a new shape
    # One parameter for the list whatever its length: the SQL text is the same.
    assert query.sql(codes=[1])[0] == query.sql(codes=[1, 2, 3])[0]
    assert query.sql(codes=[1, 2, 3])[1] == [[1, 2, 3]]


@on_postgresql
def test_datetimes_strings_and_subclassed_integers_are_bound(org, support, file_request):
    """priority compiles to psycopg's Int4, a subclass of int: bound values take that type too."""
    for priority in (1, 2, 3, 3):
        file_request(support, priority=priority, title=f"问题{priority}")
    query = Prepared(
        lambda *, since, priority, title: Task.objects.filter(
            created_at__gte=since, priority=priority, title=title
        ).values_list("title", flat=True)
    )
    since = timezone.now() - timedelta(hours=1)
    assert query(since=since, priority=3, title="问题3") == ["问题3", "问题3"]
    assert query(since=since, priority=1, title="问题1") == ["问题1"]
    assert query(since=since, priority=1, title="问题3") == []
    assert query(since=timezone.now() + timedelta(hours=1), priority=3, title="问题3") == []


def test_a_value_of_another_kind_is_served_the_ordinary_way(org):
    query = Prepared(lambda *, head: Department.objects.filter(head=head).values_list("code", flat=True))
    assert query(head=org.sales_head.pk) == ["sales"]
    assert sorted(query(head=None)) == sorted(Department.objects.filter(head=None).values_list("code", flat=True))
    assert query(head=org.sales_head.pk) == ["sales"]


@on_postgresql
def test_builders_a_compiled_query_cannot_serve_are_refused_on_the_first_call(org):
    searching = Prepared(lambda *, text: User.objects.filter(display_name__icontains=text))
    with pytest.raises(ImproperlyConfigured, match="'text' is not a parameter"):
        searching(text="王")
    # ... unless the call says to build it afresh
    assert searching(text="王", once=False) == [org.sales_head]

    def reads_the_value(*, ids):
        return Department.objects.filter(pk__in=ids)  # one placeholder per id: the SQL follows the list

    with pytest.raises(ImproperlyConfigured):
        Prepared(reads_the_value)(ids=[1, 2])

    def reads_it_in_python(*, user):
        return User.objects.filter(Q(pk=user) | Q(is_staff=user > 31_000))

    with pytest.raises(ImproperlyConfigured):
        Prepared(reads_it_in_python)(user=org.admin.pk)


def test_in_array_matches_in_and_nothing_for_an_empty_list(org):
    everyone = list(User.objects.order_by("pk").values_list("pk", flat=True))
    for ids in (everyone[:1], everyone[1:4], everyone, []):
        assert list(User.objects.filter(pk__in_array=ids).order_by("pk").values_list("pk", flat=True)) == ids
        # and through a foreign key
        assert list(Department.objects.filter(head__in_array=ids).order_by("pk")) == list(
            Department.objects.filter(head__in=ids).order_by("pk")
        )


@on_postgresql
def test_an_integer_beyond_postgresqls_range_matches_nothing_even_on_the_first_call(org):
    query = Prepared(lambda *, pk: Department.objects.filter(pk=pk))
    assert query(pk=10**30) == []  # the ORM's way: Django knows no row has such an id
    assert query(pk=org.sales.pk) == [org.sales]
    assert query(pk=-(10**30)) == [] and query(pk=org.hr.pk) == [org.hr]
    ids = Prepared(lambda *, pks: Department.objects.filter(pk__in_array=pks).order_by("code"))
    assert ids(pks=[org.sales.pk, 10**30]) == [org.sales]
