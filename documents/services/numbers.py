"""Document numbers: take, reserve, issue, void, and the gap audit."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from departments.models import User
from documents.models import Document, DocumentKind, DocumentNumber, NumberSequence, format_number
from documents.services.common import prefix_of


class NumberError(Exception):
    """A register action that cannot be done; the message is for the user."""


def _register(kind: str, prefix: str, year: int) -> NumberSequence:
    """The register row, locked for this transaction (created on first use)."""
    if kind not in DocumentKind.values:
        raise NumberError(_("Unknown document kind."))
    prefix = prefix.strip()
    if not prefix:
        raise NumberError(_("A register needs a prefix, e.g. the department's short name."))
    NumberSequence.objects.bulk_create([NumberSequence(kind=kind, prefix=prefix, year=year)], ignore_conflicts=True)
    return NumberSequence.objects.select_for_update().get(kind=kind, prefix=prefix, year=year)


def number_take(
    *, kind: str, prefix: str, by: User, subject: str = "", year: int | None = None, reserve: bool = False
) -> DocumentNumber:
    """The next number of the register, issued now (at sign-off) or reserved for later.
    Yearly rollover: each year's register starts again at 1."""
    year = year or timezone.localdate().year
    with transaction.atomic():
        sequence = _register(kind, prefix, year)
        sequence.last += 1
        sequence.save(update_fields=["last"])
        return DocumentNumber.objects.create(
            sequence=sequence,
            number=sequence.last,
            text=format_number(sequence.prefix, year, sequence.last),
            status=DocumentNumber.Status.RESERVED if reserve else DocumentNumber.Status.ISSUED,
            subject=subject[:200],
            taken_by=by,
        )


def number_reserve(*, kind: str, prefix: str, by: User, subject: str = "", year: int | None = None) -> DocumentNumber:
    if not by.is_superuser:
        raise PermissionDenied
    return number_take(kind=kind, prefix=prefix, by=by, subject=subject, year=year, reserve=True)


def number_issue_reserved(*, number: DocumentNumber, by: User, subject: str) -> DocumentNumber:
    """A reserved number is used for the document it was kept for."""
    with transaction.atomic():
        number = DocumentNumber.objects.select_for_update().get(pk=number.pk)
        if number.status != DocumentNumber.Status.RESERVED:
            raise NumberError(_("%(number)s is not reserved.") % {"number": number.text})
        number.status = DocumentNumber.Status.ISSUED
        number.subject = subject[:200]
        number.save(update_fields=["status", "subject"])
    return number


def number_void(*, number: DocumentNumber, by: User, reason: str) -> DocumentNumber:
    """退号: the number is withdrawn for good, with a reason; it stays in the register."""
    if not by.is_superuser:
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise NumberError(_("Say why the number is voided."))
    with transaction.atomic():
        number = DocumentNumber.objects.select_for_update().get(pk=number.pk)
        if number.status == DocumentNumber.Status.VOIDED:
            raise NumberError(_("%(number)s is already voided.") % {"number": number.text})
        if Document.objects.filter(number=number).exists():
            raise NumberError(_("%(number)s belongs to an issued document.") % {"number": number.text})
        number.status = DocumentNumber.Status.VOIDED
        number.reason = reason[:300]
        number.voided_by = by
        number.voided_at = timezone.now()
        number.save(update_fields=["status", "reason", "voided_by", "voided_at"])
    return number


@dataclass
class Gap:
    number: int
    text: str
    status: str  # "voided", "reserved" or "missing"
    reason: str


def gap_audit(sequence: NumberSequence) -> list[Gap]:
    """Every number from 1 to the last taken that is not an issued document, and why."""
    taken = {n.number: n for n in sequence.numbers.all()}
    gaps = []
    for value in range(1, sequence.last + 1):
        entry = taken.get(value)
        if entry is not None and entry.status == DocumentNumber.Status.ISSUED:
            continue
        gaps.append(
            Gap(
                number=value,
                text=format_number(sequence.prefix, sequence.year, value),
                status=entry.status if entry else "missing",
                reason=entry.reason if entry else _("No record of this number."),
            )
        )
    return gaps


def reserved_numbers_for(document: Document):
    """Numbers reserved (占号) in the register this document would take its number from."""
    return DocumentNumber.objects.filter(
        status=DocumentNumber.Status.RESERVED,
        sequence__kind=document.kind,
        sequence__prefix=prefix_of(document.department),
        sequence__year=timezone.localdate().year,
    ).order_by("number")
