"""Official documents (文书). So far: the document-number register (文号), which the document
workflow of the documents issue will draw from at sign-off."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    NOTICE = "notice", _("Notice (通知)")
    REQUEST = "request", _("Request for instructions (请示)")
    REPORT = "report", _("Report (报告)")
    LETTER = "letter", _("Letter (函)")
    MINUTES = "minutes", _("Minutes (会议纪要)")
    PLAN = "plan", _("Collaboration plan (协作计划)")
    FORM = "form", _("Request form (事务单)")


class NumberSequence(models.Model):
    """One register: a document kind, a department prefix (e.g. 销售) and a year. Numbers are
    taken under a row lock, so two documents issued at the same instant never share one."""

    kind = models.CharField(_("document kind"), max_length=20, choices=DocumentKind.choices)
    prefix = models.CharField(
        _("prefix"), max_length=20, help_text=_("The issuing department's short name, e.g. 销售.")
    )
    year = models.PositiveIntegerField(_("year"))
    last = models.PositiveIntegerField(_("last number taken"), default=0)

    class Meta:
        ordering = ["-year", "kind", "prefix"]
        verbose_name = _("number register")
        verbose_name_plural = _("number registers")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "prefix", "year"],
                name="documents_numbersequence_unique_register",
                violation_error_message=_("This register already exists."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}〔{self.year}〕 {self.get_kind_display()}"


class DocumentNumber(models.Model):
    """A number of a register: issued to a document, reserved (占号) for one, or voided (退号)."""

    class Status(models.TextChoices):
        ISSUED = "issued", _("Issued")
        RESERVED = "reserved", _("Reserved (占号)")
        VOIDED = "voided", _("Voided (退号)")

    sequence = models.ForeignKey(NumberSequence, on_delete=models.PROTECT, related_name="numbers")
    number = models.PositiveIntegerField(_("number"))
    text = models.CharField(_("document number"), max_length=60, db_index=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    subject = models.CharField(_("document title"), max_length=200, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("taken by")
    )
    taken_at = models.DateTimeField(_("taken"), default=timezone.now)
    voided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("voided by"),
    )
    voided_at = models.DateTimeField(_("voided"), null=True, blank=True)

    class Meta:
        ordering = ["sequence", "number"]
        verbose_name = _("document number")
        verbose_name_plural = _("document numbers")
        constraints = [
            models.UniqueConstraint(
                fields=["sequence", "number"],
                name="documents_documentnumber_unique_number",
                violation_error_message=_("This number was already taken."),
            ),
            models.CheckConstraint(
                condition=~Q(status="voided") | ~Q(reason=""),
                name="documents_documentnumber_void_has_reason",
                violation_error_message=_("A voided number needs a reason."),
            ),
        ]

    def __str__(self) -> str:
        return self.text


def format_number(prefix: str, year: int, number: int) -> str:
    """The official form of a document number, e.g. 销售〔2026〕7号."""
    return f"{prefix}〔{year}〕{number}号"
