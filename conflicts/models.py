"""Conflicts between departments (guide 3.3) and their ladder: negotiation 协商 between the
parties → mediation 调解 by a neutral mediator → arbitration 仲裁 by the arbiter, whose decision
is final. A conflict is about a request (or, once teams exist, a team)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from core.limits import MEDIUM_TEXT
from core.models import ActionLog
from departments.models import Department


def _person(verbose_name, related_name: str = "+", **options) -> models.ForeignKey:
    """A person a conflict names (arbiter, mediator, who proposed or agreed…); the conflict keeps
    its history when the person is deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name=related_name,
        verbose_name=verbose_name,
        **options,
    )


class ConflictSettings(models.Model):
    """How long each level may take, in working days, and who arbitrates. One row (pk=1)."""

    negotiation_days = models.PositiveSmallIntegerField(
        _("negotiation (working days)"), default=3, help_text=_("Then the conflict goes to mediation by itself.")
    )
    mediation_days = models.PositiveSmallIntegerField(
        _("mediation (working days)"), default=5, help_text=_("Then the conflict goes to arbitration by itself.")
    )
    arbitration_days = models.PositiveSmallIntegerField(
        _("arbitration (working days)"), default=5, help_text=_("The time the arbiter is given to decide.")
    )
    arbiter = _person(
        _("arbiter"),
        help_text=_(
            "Empty: the first leader with sign-off right who is not a party, else an administrator. "
            "The same fallback applies when the arbiter is a party to the conflict."
        ),
    )

    class Meta:
        verbose_name = _("conflict settings")
        verbose_name_plural = _("conflict settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(negotiation_days__gte=1) & Q(mediation_days__gte=1) & Q(arbitration_days__gte=1),
                name="conflicts_conflictsettings_days_positive",
                violation_error_message=_("Each level lasts at least one working day."),
            ),
        ]

    def __str__(self) -> str:
        return str(_("Conflict settings"))

    @classmethod
    def current(cls) -> "ConflictSettings":
        return cls.objects.select_related("arbiter").filter(pk=1).first() or cls(pk=1)


class ConflictQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ConflictQuerySet":
        from conflicts.selectors import visible_conflicts_filter

        return self.filter(visible_conflicts_filter(user))


class Conflict(ConcurrentTransitionMixin, models.Model):
    """A disagreement between two or more departments about a request (or a team)."""

    class State(models.TextChoices):
        NEGOTIATION = "negotiation", _("Negotiation (协商)")
        MEDIATION = "mediation", _("Mediation (调解)")
        ARBITRATION = "arbitration", _("Arbitration (仲裁)")
        RESOLVED = "resolved", _("Resolved")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class Resolution(models.TextChoices):
        AGREED = "agreed", _("Settled by agreement of the parties")
        ARBITRATED = "arbitrated", _("Decided by arbitration")

    OPEN_STATES = ("negotiation", "mediation", "arbitration")
    ESCALATING_STATES = ("negotiation", "mediation")

    subject = models.CharField(_("subject"), max_length=200)
    task = models.ForeignKey(
        "tasks.Task",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="conflicts",
        verbose_name=_("request"),
    )
    team = models.ForeignKey(
        "teams.Team",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="conflicts",
        verbose_name=_("team"),
    )
    state = FSMField(_("level"), default=State.NEGOTIATION, choices=State.choices, protected=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="raised_conflicts", verbose_name=_("raised by")
    )
    raised_at = models.DateTimeField(_("raised at"), default=timezone.now)
    level_started_at = models.DateTimeField(_("level started at"), default=timezone.now)
    deadline_at = models.DateTimeField(_("deadline of the level"), null=True, blank=True)
    mediator = _person(_("mediator"), related_name="mediated_conflicts")
    arbiter = _person(_("arbiter"), related_name="arbitrated_conflicts")
    proposal = models.TextField(_("settlement on the table"), blank=True, max_length=MEDIUM_TEXT)
    proposal_by = _person(_("proposed by"))
    proposal_at = models.DateTimeField(_("proposed at"), null=True, blank=True)
    resolution = models.CharField(_("resolution"), max_length=12, choices=Resolution.choices, blank=True)
    decision = models.TextField(_("decision"), blank=True, max_length=MEDIUM_TEXT)
    decided_by = _person(_("decided by"))
    decided_for = _person(_("acting for"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reminded_at = models.DateTimeField(
        _("arbiter reminded at"), null=True, blank=True, help_text=_("When the arbiter was told the deadline passed.")
    )

    # Every step of the conflict, oldest first (core.actions.log_action writes it).
    logs = GenericRelation(ActionLog)

    objects = ConflictQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_at", "-pk"]
        verbose_name = _("conflict")
        verbose_name_plural = _("conflicts")
        constraints = [
            models.CheckConstraint(
                condition=Q(task__isnull=False, team__isnull=True) | Q(task__isnull=True, team__isnull=False),
                name="conflicts_conflict_task_xor_team",
                violation_error_message=_("A conflict is about either a request or a team, not both."),
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=models.F("raised_at")),
                name="conflicts_conflict_closed_after_raised",
                violation_error_message=_("A conflict cannot close before it was raised."),
            ),
        ]
        indexes = [
            # conflicts.services.escalate_due(): open conflicts whose level deadline has passed.
            models.Index(
                fields=["deadline_at"],
                condition=Q(state__in=["negotiation", "mediation"]),
                name="conflicts_conflict_escalating",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    def get_absolute_url(self) -> str:
        return reverse("conflicts:detail", args=[self.pk])

    @property
    def number(self) -> str:
        return f"CF-{self.pk or 0:05d}"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    @property
    def holder(self):
        """Who holds the conflict at its level: the mediator or the arbiter (None while negotiating)."""
        if self.state == self.State.MEDIATION:
            return self.mediator
        if self.state == self.State.ARBITRATION:
            return self.arbiter
        return None

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.deadline_at is not None and self.deadline_at <= timezone.now()

    # Transitions change state and timestamps only; conflicts/services.py checks
    # permissions, saves, logs and notifies.

    @transition(field=state, source=State.NEGOTIATION, target=State.MEDIATION)
    def to_mediation(self):
        self.level_started_at = timezone.now()

    @transition(field=state, source=[State.NEGOTIATION, State.MEDIATION], target=State.ARBITRATION)
    def to_arbitration(self):
        self.level_started_at = timezone.now()
        self.reminded_at = None

    @transition(field=state, source=[State.NEGOTIATION, State.MEDIATION], target=State.RESOLVED)
    def settle(self):
        self.resolution = self.Resolution.AGREED
        self.closed_at = timezone.now()
        self.deadline_at = None

    @transition(field=state, source=State.ARBITRATION, target=State.RESOLVED)
    def arbitrate(self):
        self.resolution = self.Resolution.ARBITRATED
        self.closed_at = timezone.now()
        self.deadline_at = None

    @transition(field=state, source=[State.NEGOTIATION, State.MEDIATION, State.ARBITRATION], target=State.WITHDRAWN)
    def withdraw(self):
        self.closed_at = timezone.now()
        self.deadline_at = None


class ConflictParty(models.Model):
    """A department in disagreement, and whether it agreed to the settlement on the table."""

    conflict = models.ForeignKey(Conflict, on_delete=models.CASCADE, related_name="parties")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="conflict_parties", verbose_name=_("department")
    )
    agreed_at = models.DateTimeField(_("agreed at"), null=True, blank=True)
    agreed_by = _person(_("agreed by"))

    class Meta:
        ordering = ["department__sort_order", "department__code"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        constraints = [
            models.UniqueConstraint(
                fields=["conflict", "department"],
                name="conflicts_conflictparty_unique_department",
                violation_error_message=_("This department is already a party to the conflict."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.department)


class Position(models.Model):
    """What one party holds, in its own words. A party may state and restate its position."""

    conflict = models.ForeignKey(Conflict, on_delete=models.CASCADE, related_name="positions")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("party"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("author")
    )
    acting_for = _person(_("acting for"))
    text = models.TextField(_("position"), max_length=MEDIUM_TEXT)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("position")
        verbose_name_plural = _("positions")

    def __str__(self) -> str:
        return f"{self.department}: {self.text[:40]}"


class ConflictAction(models.TextChoices):
    """What happened to a conflict, as its timeline says it (the rows are core.ActionLog)."""

    RAISED = "conflict.raised", _("raised the conflict")
    POSITION = "conflict.position", _("stated a position")
    PROPOSED = "conflict.proposed", _("proposed a settlement")
    AGREED = "conflict.agreed", _("agreed to the settlement")
    ESCALATED = "conflict.escalated", _("escalated the conflict")
    AUTO_ESCALATED = "conflict.auto_escalated", _("escalated the conflict: the deadline passed")
    SETTLED = "conflict.settled", _("settled: every party agreed")
    DECIDED = "conflict.decided", _("decided (final)")
    WITHDRAWN = "conflict.withdrawn", _("withdrew the conflict")
    HANDED_OVER = "conflict.handed_over", _("handed over")
