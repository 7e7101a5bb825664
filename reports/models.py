"""The global search index: one row per searchable thing (a request, a document, a person, a team),
kept in this app so that no other app's tables change. The vector is filled on PostgreSQL
only ('simple' configuration over our own tokens, see reports/search.py)."""

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SearchEntry(models.Model):
    """One searchable object, with its text tokenised for full-text search."""

    class Kind(models.TextChoices):
        TASK = "task", _("Request")
        DOCUMENT = "document", _("Document")
        PERSON = "person", _("Person")
        TEAM = "team", _("Team")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField(_("object id"))
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=300)
    department = models.ForeignKey(
        "departments.Department",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    title_tokens = models.TextField(_("title tokens"), blank=True)
    text_tokens = models.TextField(_("text tokens"), blank=True)
    # GIN-indexed on PostgreSQL by migration 0002 (a plain column elsewhere).
    vector = SearchVectorField(_("search vector"), null=True, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("search entry")
        verbose_name_plural = _("search entries")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_id"],
                name="reports_searchentry_unique_object",
                violation_error_message=_("This object is already in the search index."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} {self.title}"
