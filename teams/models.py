"""Collaboration teams (guide 2 and 3): strategic goals, teams with a measurable target and
a lifecycle, members from several departments, the plan (milestones, requests under them,
communication plan), meetings with minutes and action items, evaluation, and each person's
calendar feed."""

import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from core.limits import LONG_TEXT, SHORT_TEXT
from core.models import ActionLog
from departments.models import Department, pick_language
from departments.selectors import holders_acting_for


def _person(verbose_name, related_name: str = "+", **options) -> models.ForeignKey:
    """A person a team's rows name (PROTECT: nobody named here can be deleted)."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name=related_name,
        verbose_name=verbose_name,
        **options,
    )


class StrategicGoal(models.Model):
    """One of the organisation's strategic goals (e.g. 提高市场份额), kept by admins."""

    title = models.CharField(_("title (Chinese)"), max_length=120, unique=True)
    title_en = models.CharField(_("title (English)"), max_length=160, blank=True)
    description = models.TextField(_("description"), blank=True, max_length=LONG_TEXT)
    is_active = models.BooleanField(_("active"), default=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)

    class Meta:
        ordering = ["sort_order", "title"]
        verbose_name = _("strategic goal")
        verbose_name_plural = _("strategic goals")

    def __str__(self) -> str:
        return pick_language(self.title, self.title_en)


class TeamQuerySet(models.QuerySet):
    def visible_to(self, user) -> "TeamQuerySet":
        """Public teams, and private ones the user is lead or member of (admins see all)."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser:
            return self
        # A subquery, not a join: no duplicates to remove, and counts annotated later stay right.
        member_of = TeamMember.objects.filter(user=user).values("team_id")
        # A lead's delegate today sees the teams they lead (departments' role fact, read once).
        leads = [user.pk, *holders_acting_for(user)]
        return self.filter(Q(private=False) | Q(lead_id__in=leads) | Q(pk__in=member_of))


class Team(ConcurrentTransitionMixin, models.Model):
    """A collaboration team: a goal with a measurable target, a lead, members from several
    departments, a plan, meetings and, at the end, an evaluation."""

    class State(models.TextChoices):
        PLANNING = "planning", _("Planning")
        ACTIVE = "active", _("Active")
        COMPLETED = "completed", _("Completed")
        EVALUATED = "evaluated", _("Evaluated")
        CANCELLED = "cancelled", _("Cancelled")

    class Frequency(models.TextChoices):
        NONE = "", _("No regular meeting")
        DAILY = "DAILY", _("Daily")
        WEEKLY = "WEEKLY", _("Weekly")
        MONTHLY = "MONTHLY", _("Monthly")

    name = models.CharField(_("name"), max_length=120)
    goal = models.TextField(_("goal statement"), max_length=LONG_TEXT)
    strategic_goal = models.ForeignKey(
        StrategicGoal,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="teams",
        verbose_name=_("strategic goal"),
    )
    metric = models.CharField(_("metric"), max_length=120, help_text=_("What is measured, e.g. 华东区市场份额."))
    unit = models.CharField(_("unit"), max_length=20, blank=True, help_text=_("e.g. %, 万元, days."))
    baseline = models.DecimalField(_("baseline"), max_digits=14, decimal_places=2)
    target_value = models.DecimalField(_("target value"), max_digits=14, decimal_places=2)
    current_value = models.DecimalField(_("current value"), max_digits=14, decimal_places=2, null=True, blank=True)
    starts_on = models.DateField(_("starts on"))
    deadline = models.DateField(_("deadline"))
    lead = _person(_("lead"), related_name="led_teams")
    private = models.BooleanField(
        _("private"), default=False, help_text=_("Only the members (and admins) see a private team.")
    )
    state = FSMField(_("state"), default=State.PLANNING, choices=State.choices, protected=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True, max_length=SHORT_TEXT)
    # Communication plan: the meeting cadence as rrule parts (see teams/meetings.py).
    meeting_freq = models.CharField(_("meeting frequency"), max_length=10, choices=Frequency.choices, blank=True)
    meeting_interval = models.PositiveSmallIntegerField(
        _("every"), default=1, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    meeting_weekdays = models.JSONField(
        _("meeting weekdays"), default=list, blank=True, help_text=_("0 = Monday … 6 = Sunday.")
    )
    meeting_time = models.TimeField(_("meeting time"), null=True, blank=True)
    meeting_minutes = models.PositiveSmallIntegerField(
        _("meeting length (minutes)"), default=60, validators=[MinValueValidator(5), MaxValueValidator(600)]
    )
    meeting_location = models.CharField(_("meeting place"), max_length=120, blank=True)
    daily_email = models.BooleanField(_("daily progress e-mail"), default=False)
    # Evaluation results, recorded at evaluation.
    evaluation_score = models.DecimalField(
        _("weighted evaluation score"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    goal_attainment = models.DecimalField(_("goal attainment %"), max_digits=7, decimal_places=2, null=True, blank=True)
    evaluation_summary = models.TextField(_("evaluation summary"), blank=True, max_length=LONG_TEXT)
    created_by = _person(_("created by"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    activated_at = models.DateTimeField(_("started"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    evaluated_at = models.DateTimeField(_("evaluated"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    # What happened to the team, oldest first (core.actions.log_action writes it).
    logs = GenericRelation(ActionLog)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("collaboration team")
        verbose_name_plural = _("collaboration teams")
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__gte=F("starts_on")),
                name="teams_team_deadline_after_start",
                violation_error_message=_("The deadline cannot be before the start."),
            ),
            models.CheckConstraint(
                condition=~Q(target_value=F("baseline")),
                name="teams_team_target_differs_from_baseline",
                violation_error_message=_("The target value must differ from the baseline."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("teams:detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.state in (self.State.PLANNING, self.State.ACTIVE)

    # Transitions change state and timestamps only; teams/services.py checks, saves, logs, notifies.

    @transition(field=state, source=State.PLANNING, target=State.ACTIVE)
    def start(self):
        self.activated_at = timezone.now()

    @transition(field=state, source=State.ACTIVE, target=State.COMPLETED)
    def complete(self):
        self.completed_at = timezone.now()

    @transition(field=state, source=State.COMPLETED, target=State.EVALUATED)
    def evaluate(self):
        self.evaluated_at = timezone.now()

    @transition(field=state, source=[State.PLANNING, State.ACTIVE, State.COMPLETED], target=State.CANCELLED)
    def cancel(self):
        self.cancelled_at = timezone.now()


class TeamMember(models.Model):
    """A person on a team, for a department, with their role in the team."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members", verbose_name=_("team"))
    user = _person(_("person"), related_name="team_memberships")
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="team_members", verbose_name=_("department")
    )
    role = models.CharField(_("role in the team"), max_length=60, blank=True, help_text=_("e.g. 市场调研负责人."))
    joined_at = models.DateTimeField(_("joined"), default=timezone.now)

    class Meta:
        ordering = ["department__sort_order", "pk"]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "user"],
                name="teams_teammember_unique_person",
                violation_error_message=_("This person is already on the team."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.team_id} · {self.user}"


class MetricReading(models.Model):
    """A reading of the team's metric: the history behind the goal-progress chart."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="readings", verbose_name=_("team"))
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    measured_on = models.DateField(_("measured on"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = _person(_("recorded by"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["measured_on", "recorded_at", "pk"]
        verbose_name = _("metric reading")
        verbose_name_plural = _("metric readings")

    def __str__(self) -> str:
        return f"{self.team_id} {self.measured_on} {self.value}"


class Milestone(models.Model):
    """A step of the team's plan: dates, the department responsible, the deliverable, the
    milestones it depends on."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        BLOCKED = "blocked", _("Blocked")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("team"))
    title = models.CharField(_("title"), max_length=160)
    starts_on = models.DateField(_("starts on"))
    due_on = models.DateField(_("due on"))
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="milestones", verbose_name=_("responsible department")
    )
    deliverable = models.CharField(_("deliverable"), max_length=200, blank=True)
    depends_on = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="dependents", verbose_name=_("depends on")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["starts_on", "due_on", "pk"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__gte=F("starts_on")),
                name="teams_milestone_due_after_start",
                violation_error_message=_("A milestone cannot be due before it starts."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.status != self.Status.DONE and self.due_on < timezone.localdate()


class TeamRequest(models.Model):
    """A request (事务) filed or linked under a team, optionally under one of its milestones.
    The request itself follows the normal flow in `tasks`."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="requests", verbose_name=_("team"))
    milestone = models.ForeignKey(
        Milestone,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="requests",
        verbose_name=_("milestone"),
    )
    task = models.ForeignKey(
        "tasks.Task", on_delete=models.CASCADE, related_name="team_links", verbose_name=_("request")
    )
    added_by = _person(_("added by"))
    added_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        ordering = ["added_at", "pk"]
        verbose_name = _("team request")
        verbose_name_plural = _("team requests")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "task"],
                name="teams_teamrequest_unique_task",
                violation_error_message=_("This request is already linked to the team."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.team_id} · {self.task_id}"


class Meeting(models.Model):
    """One meeting of a team, generated from the cadence or added by hand."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("team"))
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    location = models.CharField(_("place"), max_length=120, blank=True)
    agenda = models.TextField(_("agenda"), blank=True, max_length=LONG_TEXT)
    minutes = models.TextField(_("minutes"), blank=True, max_length=LONG_TEXT)
    decisions = models.TextField(_("decisions"), blank=True, max_length=LONG_TEXT)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SCHEDULED)
    moved_from = models.DateTimeField(
        _("moved from"), null=True, blank=True, help_text=_("The cadence's time when it fell on a day off.")
    )
    minutes_by = _person(_("minutes taken by"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    from_cadence = models.BooleanField(
        _("from the cadence"), default=False, help_text=_("Scheduled from the team's meeting cadence, not by hand.")
    )

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.UniqueConstraint(
                fields=["team", "starts_at"],
                name="teams_meeting_unique_time",
                violation_error_message=_("The team already has a meeting at this time."),
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="teams_meeting_ends_after_start",
                violation_error_message=_("A meeting must end after it starts."),
            ),
        ]
        indexes = [
            # teams.tasks.send_meeting_reminders: scheduled meetings not yet reminded.
            models.Index(
                fields=["starts_at"],
                condition=Q(status="scheduled", reminded_at__isnull=True),
                name="teams_meeting_to_remind",
            )
        ]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"


class Attendance(models.Model):
    """Who was expected at a meeting and whether they came."""

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        PRESENT = "present", _("Present")
        ABSENT = "absent", _("Absent")
        EXCUSED = "excused", _("Excused")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("meeting"))
    user = _person(_("person"))
    status = models.CharField(_("attendance"), max_length=20, choices=Status.choices, default=Status.INVITED)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"],
                name="teams_attendance_unique_person",
                violation_error_message=_("This person is already on the attendance list."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id} · {self.user_id} · {self.status}"


class ActionItem(models.Model):
    """Something a meeting decided someone will do; can become a request with one click."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="action_items", verbose_name=_("team"))
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="action_items", verbose_name=_("meeting")
    )
    title = models.CharField(_("action item"), max_length=200)
    owner = _person(_("owner"), related_name="team_actions")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("department"))
    due_on = models.DateField(_("due on"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    task = models.OneToOneField(
        "tasks.Task",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="team_action",
        verbose_name=_("request"),
    )
    created_by = _person(_("created by"))
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("action item")
        verbose_name_plural = _("action items")

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.done_at is None and self.due_on < timezone.localdate()


class EvaluationCriterion(models.Model):
    """One criterion of the team's evaluation: a weight (all weights sum to 100) and, at the
    end, the lead's score from 0 to 100."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("team"))
    name = models.CharField(_("criterion"), max_length=120)
    weight = models.PositiveSmallIntegerField(_("weight %"), validators=[MinValueValidator(1), MaxValueValidator(100)])
    score = models.DecimalField(
        _("score"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("evaluation criterion")
        verbose_name_plural = _("evaluation criteria")
        constraints = [
            models.CheckConstraint(
                condition=Q(weight__gte=1) & Q(weight__lte=100),
                name="teams_criterion_weight_percent",
                violation_error_message=_("A weight is a percentage from 1 to 100."),
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | (Q(score__gte=0) & Q(score__lte=100)),
                name="teams_criterion_score_range",
                violation_error_message=_("A score is from 0 to 100."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class TeamAction(models.TextChoices):
    """What happened to a team, as its page says it (the rows are core.ActionLog)."""

    CREATED = "team.created", _("created the team")
    EDITED = "team.edited", _("edited the team")
    STARTED = "team.started", _("started the team")
    COMPLETED = "team.completed", _("completed the team")
    EVALUATED = "team.evaluated", _("evaluated the team")
    CANCELLED = "team.cancelled", _("cancelled the team")
    READING = "team.reading", _("recorded a metric reading")
    PLAN = "team.plan", _("changed the plan")
    MEETING = "team.meeting", _("updated a meeting")
    ACTION = "team.action", _("updated an action item")
    HANDED_OVER = "team.handed_over", _("handed over")


class DailyDigestSent(models.Model):
    """Marks a team's daily progress e-mail as sent for a day, so a rerun sends nothing twice."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+", verbose_name=_("team"))
    day = models.DateField(_("day"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        verbose_name = _("daily progress e-mail sent")
        verbose_name_plural = _("daily progress e-mails sent")
        constraints = [models.UniqueConstraint(fields=["team", "day"], name="teams_dailydigestsent_unique_day")]

    def __str__(self) -> str:
        return f"{self.team_id} {self.day}"


def _new_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A person's secret iCalendar feed URL; rotating the token revokes the old URL."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed", verbose_name=_("person")
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=_new_token)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    rotated_at = models.DateTimeField(_("rotated"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.user_id}"
