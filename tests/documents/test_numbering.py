"""The document-number register: sequential per kind, prefix and year; reservation, void, gap audit;
no duplicate or gap when numbers are taken at the same instant (PostgreSQL)."""

import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, close_old_connections, connection, transaction

from documents import services
from documents.models import DocumentNumber, NumberSequence, format_number
from tests.factories import UserFactory


@pytest.fixture
def clerk(db):
    return UserFactory(username="clerk")


@pytest.fixture
def admin(db):
    return UserFactory(username="registrar", is_superuser=True, is_staff=True)


def take(user, **kwargs):
    return services.number_take(
        kind=kwargs.pop("kind", "notice"),
        prefix=kwargs.pop("prefix", "销售"),
        by=user,
        year=kwargs.pop("year", 2026),
        **kwargs,
    )


def test_format():
    assert format_number("销售", 2026, 7) == "销售〔2026〕7号"


@pytest.mark.django_db
def test_numbers_follow_each_other_per_register_and_roll_over_yearly(clerk):
    assert [take(clerk).text for _ in range(3)] == ["销售〔2026〕1号", "销售〔2026〕2号", "销售〔2026〕3号"]
    assert take(clerk, prefix="采购").text == "采购〔2026〕1号"
    assert take(clerk, kind="letter").text == "销售〔2026〕1号"  # another kind, another register
    assert take(clerk, year=2027).text == "销售〔2027〕1号"


@pytest.mark.django_db
def test_bad_input(clerk):
    with pytest.raises(services.NumberError):
        take(clerk, kind="poem")
    with pytest.raises(services.NumberError):
        take(clerk, prefix="  ")
    assert not DocumentNumber.objects.exists()


@pytest.mark.django_db
def test_reserve_then_issue(clerk, admin):
    with pytest.raises(PermissionDenied):
        services.number_reserve(kind="notice", prefix="销售", by=clerk, year=2026)
    reserved = services.number_reserve(kind="notice", prefix="销售", by=admin, subject="年度总结", year=2026)
    after = take(clerk)
    assert (reserved.text, after.text) == ("销售〔2026〕1号", "销售〔2026〕2号")
    issued = services.number_issue_reserved(number=reserved, by=clerk, subject="年度总结（正式）")
    assert issued.status == "issued"
    with pytest.raises(services.NumberError):
        services.number_issue_reserved(number=reserved, by=clerk, subject="again")


@pytest.mark.django_db
def test_void_needs_admin_and_reason_and_is_kept(clerk, admin):
    number = take(clerk)
    with pytest.raises(PermissionDenied):
        services.number_void(number=number, by=clerk, reason="错号")
    with pytest.raises(services.NumberError):
        services.number_void(number=number, by=admin, reason=" ")
    services.number_void(number=number, by=admin, reason="文件撤回")
    number.refresh_from_db()
    assert (number.status, number.reason, number.voided_by) == ("voided", "文件撤回", admin)
    with pytest.raises(services.NumberError):
        services.number_void(number=number, by=admin, reason="again")
    assert take(clerk).number == 2  # a voided number is never reused


@pytest.mark.django_db
def test_database_refuses_a_void_without_reason_and_a_duplicate(clerk):
    number = take(clerk)
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentNumber.objects.filter(pk=number.pk).update(status="voided", reason="")
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentNumber.objects.create(sequence=number.sequence, number=1, text="dup", status="issued", taken_by=clerk)


@pytest.mark.django_db
def test_gap_audit_lists_every_hole_and_why(clerk, admin):
    first, second, third = take(clerk), take(clerk), take(clerk)
    services.number_void(number=second, by=admin, reason="重复发文")
    services.number_reserve(kind="notice", prefix="销售", by=admin, year=2026)
    sequence = NumberSequence.objects.get()
    DocumentNumber.objects.filter(pk=third.pk).delete()  # someone removed a row behind the register's back
    gaps = services.gap_audit(sequence)
    assert [(g.number, g.status) for g in gaps] == [(2, "voided"), (3, "missing"), (4, "reserved")]
    assert gaps[0].reason == "重复发文"
    assert first.number == 1


@pytest.mark.django_db
def test_the_register_admin_lists_its_gaps_with_reasons_escaped(client, clerk, admin):
    take(clerk)
    second = take(clerk)
    services.number_void(number=second, by=admin, reason="<b>重复</b>")
    sequence = NumberSequence.objects.get()
    client.force_login(admin)
    page = client.get(f"/admin/documents/numbersequence/{sequence.pk}/change/").content.decode()
    assert f"<div>{second.text} · voided · &lt;b&gt;重复&lt;/b&gt;</div>" in page


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks under real concurrency need PostgreSQL")
def test_numbers_taken_at_the_same_instant_never_collide_or_skip(clerk):
    barrier = threading.Barrier(8)
    results = []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(take(clerk).number)
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            results.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == list(range(1, 9)), results
    assert services.gap_audit(NumberSequence.objects.get()) == []
