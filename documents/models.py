"""Official documents (文书): the document, its opinions, acknowledgements and versions, and the
document-number register (文号) it draws from at sign-off. Its .docx files are the kernel's rendering
jobs (core.GeneratedFile)."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from core.limits import DOCUMENT_BODY, LONG_TEXT, SHORT_TEXT
from core.models import ActionLog


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


class DocumentAction(models.TextChoices):
    """What happened to an official document, for its action log (core.ActionLog); the opinions
    (Opinion) stay the document's own record of what each reviewer said."""

    DRAFTED = "document.drafted", _("drafted the document")
    EDITED = "document.edited", _("edited the draft")
    SUBMITTED = "document.submitted", _("submitted the draft for review")
    WITHDRAWN = "document.withdrawn", _("withdrew the draft")
    REVIEWED = "document.reviewed", _("passed the review (核稿)")
    COUNTERSIGNED = "document.countersigned", _("agreed in countersign (会签)")
    RETURNED = "document.returned", _("returned the draft to the drafter")
    ISSUED = "document.issued", _("signed off and issued (签发)")
    DISTRIBUTED = "document.distributed", _("distributed the document")
    ACKNOWLEDGED = "document.acknowledged", _("acknowledged receipt (签收)")
    ARCHIVED = "document.archived", _("archived the document")
    HANDED_OVER = "document.handed_over", _("handed over")
    PASSED = "document.passed", _("passed the classified document to named readers")


class Document(ConcurrentTransitionMixin, models.Model):
    """An official document (公文) on its way from draft to archive (DESIGN §4)."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft (拟稿)")
        REVIEWING = "reviewing", _("Reviewing (核稿)")
        COUNTERSIGNING = "countersigning", _("Countersigning (会签)")
        PENDING_ISSUE = "pending_issue", _("Waiting for sign-off (待签发)")
        ISSUED = "issued", _("Issued (已签发)")
        DISTRIBUTED = "distributed", _("Distributed (已分发)")
        ARCHIVED = "archived", _("Archived (已归档)")

    class Urgency(models.TextChoices):
        NORMAL = "normal", _("Normal (平件)")
        URGENT = "urgent", _("Urgent (加急)")
        EXTRA_URGENT = "extra_urgent", _("Extra urgent (特急)")

    class Secrecy(models.TextChoices):
        """The levels in order, lowest first: every rule asks `at_least(...)`, never a list of its own."""

        PUBLIC = "public", _("Public (公开)")
        INTERNAL = "internal", _("Internal (内部)")
        SECRET = "secret", _("Secret (秘密)")
        HIGHLY_SECRET = "highly_secret", _("Highly secret (机密)")
        TOP_SECRET = "top_secret", _("Top secret (绝密)")

        @classmethod
        def at_least(cls, level: str) -> tuple[str, ...]:
            """This level and every one above it."""
            return tuple(cls.values[cls.values.index(level) :])

    # Classified levels (秘密 and above): only the people named for the document see it
    # (documents.selectors.named_readers_condition), and each opening is logged (DocumentOpening).
    NAMED_ONLY = Secrecy.at_least(Secrecy.SECRET)
    # 绝密 is stricter still (documents.rules): the 机要 office reads it only when named, only the
    # signer and the recipient departments' heads pass it on, and those it is passed to read it on
    # the page without taking a file away.
    STRICTEST = Secrecy.at_least(Secrecy.TOP_SECRET)
    # The mark printed in the header (GB/T 9704 密级) and the longest 保密期限 the law allows
    # (保密法: 绝密 30 years, 机密 20, 秘密 10), which also applies when none is marked.
    MARKS = {Secrecy.SECRET: "秘密", Secrecy.HIGHLY_SECRET: "机密", Secrecy.TOP_SECRET: "绝密"}
    LONGEST_TERM = {Secrecy.SECRET: 10, Secrecy.HIGHLY_SECRET: 20, Secrecy.TOP_SECRET: 30}

    kind = models.CharField(_("document kind"), max_length=20, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    recipients = models.CharField(_("main recipients (主送)"), max_length=300)
    cc = models.CharField(_("CC (抄送)"), max_length=300, blank=True)
    body = models.TextField(
        _("body"),
        max_length=DOCUMENT_BODY,
        help_text=_(
            "Paragraphs separated by blank lines. A line starting with “# ” is a heading, “- ” a list item, "
            "and lines like “| a | b |” make a table."
        ),
    )
    urgency = models.CharField(_("urgency"), max_length=15, choices=Urgency.choices, default=Urgency.NORMAL)
    secrecy = models.CharField(_("confidentiality"), max_length=16, choices=Secrecy.choices, default=Secrecy.INTERNAL)
    secrecy_years = models.PositiveSmallIntegerField(
        _("kept secret for (years)"),
        null=True,
        blank=True,
        help_text=_(
            "保密期限, printed beside the level (秘密★5年). Empty: the longest the law allows "
            "(秘密 10 years, 机密 20, 绝密 30). Only for classified documents."
        ),
    )
    department = models.ForeignKey(
        "departments.Department",
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("drafting department"),
    )
    drafter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="drafted_documents", verbose_name=_("drafter")
    )
    countersign_departments = models.ManyToManyField(
        "departments.Department", blank=True, related_name="+", verbose_name=_("departments to countersign")
    )
    recipient_departments = models.ManyToManyField(
        "departments.Department",
        blank=True,
        related_name="received_documents",
        verbose_name=_("departments it is distributed to"),
    )
    state = FSMField(_("state"), default=State.DRAFT, choices=State.choices, protected=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    number = models.OneToOneField(
        DocumentNumber,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="document",
        verbose_name=_("document number"),
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed off by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    retention_year = models.PositiveIntegerField(_("keep until (year)"), null=True, blank=True)
    legal_hold = models.BooleanField(
        _("legal hold"),
        default=False,
        help_text=_("Kept whatever its retention: the retention command never archives or removes it."),
    )
    legal_hold_reason = models.CharField(_("legal hold reason"), max_length=200, blank=True)
    returned_version = models.PositiveIntegerField(
        _("version last returned"),
        null=True,
        blank=True,
        help_text=_("The version a reviewer, countersigner or leader sent back; compared with the revision."),
    )
    template = models.ForeignKey(
        "DocumentTemplate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("template"),
        help_text=_("Empty: the built-in layout of GB/T 9704."),
    )
    # The issued file as it was made after sign-off (documents.docx records them when the worker
    # is done; the processing sheet prints them, the page checks the stored files against them).
    signed_sha256 = models.CharField(_("SHA-256 of the issued .docx"), max_length=64, blank=True, editable=False)
    signed_pdf_sha256 = models.CharField(_("SHA-256 of the issued PDF"), max_length=64, blank=True, editable=False)
    # Who did what when (core.actions.log_action writes it); the opinions keep what reviewers said.
    logs = GenericRelation(ActionLog)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("official document")
        verbose_name_plural = _("official documents")
        constraints = [
            models.CheckConstraint(
                condition=Q(secrecy_years__isnull=True)
                | Q(secrecy="secret", secrecy_years__gte=1, secrecy_years__lte=10)
                | Q(secrecy="highly_secret", secrecy_years__gte=1, secrecy_years__lte=20)
                | Q(secrecy="top_secret", secrecy_years__gte=1, secrecy_years__lte=30),
                name="documents_document_secrecy_years_within_law",
                violation_error_message=_(
                    "The period kept secret is for classified documents only, and at most 10 years "
                    "for 秘密, 20 for 机密 and 30 for 绝密."
                ),
            ),
        ]
        permissions = [
            # The 机要 office: granted explicitly (to a person or a group), never implied by being
            # an admin (documents.rules.is_classified_registry).
            ("view_classified", _("May read every classified document (机要)")),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("documents:detail", args=[self.pk])

    @property
    def named_only(self) -> bool:
        """秘密 and above: seen only by the people named for it."""
        return self.secrecy in self.NAMED_ONLY

    @property
    def strictest(self) -> bool:
        """绝密: see STRICTEST."""
        return self.secrecy in self.STRICTEST

    @property
    def secrecy_mark(self) -> str:
        """密级★保密期限 as GB/T 9704 prints it (机密★10年), or only the level when no period is
        marked; empty for an ordinary document."""
        mark = self.MARKS.get(self.secrecy, "")
        return f"{mark}★{self.secrecy_years}年" if mark and self.secrecy_years else mark

    @transition(field=state, source=State.DRAFT, target=State.REVIEWING)
    def submit(self):
        """The drafter sends the draft for review (核稿)."""

    @transition(field=state, source=State.REVIEWING, target=State.DRAFT)
    def withdraw(self):
        """撤回: the drafter takes it back before review."""

    @transition(field=state, source=State.REVIEWING, target=State.COUNTERSIGNING)
    def to_countersign(self):
        """Reviewed; the chosen departments countersign next."""

    @transition(field=state, source=[State.REVIEWING, State.COUNTERSIGNING], target=State.PENDING_ISSUE)
    def to_sign_off(self):
        """Reviewed (and countersigned by all): waiting for a leader to sign off."""

    @transition(field=state, source=[State.REVIEWING, State.COUNTERSIGNING, State.PENDING_ISSUE], target=State.DRAFT)
    def send_back(self):
        """退回: back to the drafter, with the reason in the opinion."""

    @transition(field=state, source=State.PENDING_ISSUE, target=State.ISSUED)
    def issue(self):
        self.issued_at = timezone.now()

    @transition(field=state, source=State.ISSUED, target=State.DISTRIBUTED)
    def distribute(self):
        """Sent to the recipient departments, each to acknowledge (签收)."""

    @transition(field=state, source=State.DISTRIBUTED, target=State.ARCHIVED)
    def archive(self):
        self.archived_at = timezone.now()


class Opinion(models.Model):
    """An opinion given at review, countersign or sign-off, printed on the processing sheet (发文稿纸)."""

    class Stage(models.TextChoices):
        REVIEW = "review", _("Review (核稿)")
        COUNTERSIGN = "countersign", _("Countersign (会签)")
        SIGN_OFF = "sign_off", _("Sign-off (签发)")

    class Decision(models.TextChoices):
        AGREE = "agree", _("Agree")
        DISAGREE = "disagree", _("Disagree")
        RETURN = "return", _("Return to the drafter")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="opinions")
    stage = models.CharField(_("stage"), max_length=15, choices=Stage.choices)
    department = models.ForeignKey("departments.Department", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    acting_for = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices)
    text = models.TextField(_("opinion"), blank=True, max_length=SHORT_TEXT)
    version = models.PositiveIntegerField(_("version"))
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("opinion")
        verbose_name_plural = _("opinions")

    def __str__(self) -> str:
        return f"{self.document_id} {self.stage} {self.decision}"


class Acknowledgement(models.Model):
    """签收: a recipient department confirms it received an issued document."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="acknowledgements")
    department = models.ForeignKey("departments.Department", on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("last reminded"), null=True, blank=True)

    class Meta:
        verbose_name = _("acknowledgement")
        verbose_name_plural = _("acknowledgements")
        constraints = [
            models.UniqueConstraint(fields=["document", "department"], name="documents_ack_once_per_department"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} {self.department_id}"


class DocumentVersion(models.Model):
    """留痕: the text of a document as saved, one row per version, to compare any two."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    recipients = models.CharField(_("main recipients (主送)"), max_length=300)
    cc = models.CharField(_("CC (抄送)"), max_length=300, blank=True)
    body = models.TextField(_("body"), max_length=DOCUMENT_BODY)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    saved_at = models.DateTimeField(_("saved"), default=timezone.now)

    class Meta:
        ordering = ["document", "number"]
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="documents_version_once"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} v{self.number}"


class DocumentTemplate(models.Model):
    """An organisation's own .docx layout with placeholders such as {{ title }}, checked on upload
    and filled by plain text substitution (no template code ever runs)."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(
        _("document kind"),
        max_length=20,
        choices=DocumentKind.choices,
        blank=True,
        help_text=_("Empty: offered for every kind."),
    )
    file = models.FileField(_("file"), upload_to="templates/", max_length=200)
    placeholders = models.JSONField(_("placeholders"), default=list, blank=True, editable=False)
    is_active = models.BooleanField(_("in use"), default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("document template")
        verbose_name_plural = _("document templates")

    def __str__(self) -> str:
        return self.name


class DepartmentSeal(models.Model):
    """电子印章: the image of a department's seal, set by an admin, printed over the issuing date
    of the documents the department issues (a PNG with a transparent background)."""

    department = models.OneToOneField(
        "departments.Department", on_delete=models.CASCADE, related_name="seal", verbose_name=_("department")
    )
    image = models.FileField(_("seal image (PNG)"), upload_to="seals/", max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("department seal")
        verbose_name_plural = _("department seals")

    def __str__(self) -> str:
        return str(self.department)


class IncomingDocument(models.Model):
    """收文: a document received from outside, registered and routed to departments to handle,
    each of which gets a request for it. A word-processing file also gets a PDF for its preview
    (the rendering job of kind `PDF_KIND`)."""

    PDF_KIND = "incoming_file"

    title = models.CharField(_("title"), max_length=200)
    source = models.CharField(_("from (organisation)"), max_length=200)
    their_number = models.CharField(_("their document number"), max_length=60, blank=True)
    dated = models.DateField(_("dated"), null=True, blank=True)
    received_on = models.DateField(_("received on"), default=timezone.localdate)
    urgency = models.CharField(
        _("urgency"), max_length=15, choices=Document.Urgency.choices, default=Document.Urgency.NORMAL
    )
    summary = models.TextField(_("summary and what to do"), blank=True, max_length=LONG_TEXT)
    secrecy = models.CharField(
        _("confidentiality"),
        max_length=16,
        choices=Document.Secrecy.choices,
        default=Document.Secrecy.INTERNAL,
        help_text=_(
            "Secret (秘密) and above: the requests made for it are confidential, and only the departments' "
            "managers and the people handling it see it."
        ),
    )
    file = models.FileField(_("file"), upload_to="incoming/%Y/%m/", max_length=200)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("registered by")
    )
    registered_at = models.DateTimeField(_("registered"), default=timezone.now)

    class Meta:
        ordering = ["-registered_at", "-pk"]
        verbose_name = _("received document")
        verbose_name_plural = _("received documents")

    def __str__(self) -> str:
        return self.title

    @property
    def named_only(self) -> bool:
        return self.secrecy in Document.NAMED_ONLY

    @property
    def file_name(self) -> str:
        return self.file.name.rsplit("/", 1)[-1]


class IncomingRoute(models.Model):
    """One department asked to handle a received document, through the request made for it."""

    incoming = models.ForeignKey(IncomingDocument, on_delete=models.CASCADE, related_name="routes")
    department = models.ForeignKey("departments.Department", on_delete=models.PROTECT, related_name="+")
    task = models.OneToOneField("tasks.Task", on_delete=models.PROTECT, related_name="incoming_route")

    class Meta:
        verbose_name = _("route of a received document")
        verbose_name_plural = _("routes of received documents")
        constraints = [
            models.UniqueConstraint(fields=["incoming", "department"], name="documents_incoming_once_per_department"),
        ]

    def __str__(self) -> str:
        return f"{self.incoming_id} → {self.department_id}"


class DocumentAttachment(models.Model):
    """A file that goes with a document (附件), kept with the draft and listed on its page. A
    word-processing file also gets a PDF for its preview (the rendering job of kind `PDF_KIND`)."""

    PDF_KIND = "document_attachment"

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="document-attachments/%Y/%m/", max_length=200)
    name = models.CharField(_("name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded"), default=timezone.now)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("document attachment")
        verbose_name_plural = _("document attachments")

    def __str__(self) -> str:
        return self.name


class DocumentReader(models.Model):
    """A person a named reader passed a classified document to (传阅): they may then read it,
    though their department alone would not let them."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="readers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("reader")
    )
    passed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("passed by")
    )
    passed_at = models.DateTimeField(_("passed"), default=timezone.now)

    class Meta:
        ordering = ["passed_at", "pk"]
        verbose_name = _("named reader")
        verbose_name_plural = _("named readers")
        constraints = [
            models.UniqueConstraint(fields=["document", "user"], name="documents_reader_once"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} → {self.user_id}"


class DocumentOpening(models.Model):
    """One opening of a classified document: its page, a download, a version comparison. Its own
    small table rather than the action log: openings are many, and they are not changes (no
    timeline entry, no webhook event)."""

    class What(models.TextChoices):
        PAGE = "page", _("the page")
        DOWNLOAD = "download", _("a download")
        VERSION = "version", _("a comparison of versions")
        API = "api", _("through the API")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="openings")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    what = models.CharField(_("what"), max_length=10, choices=What.choices)
    detail = models.CharField(_("which"), max_length=200, blank=True)
    at = models.DateTimeField(_("opened"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("opening of a classified document")
        verbose_name_plural = _("openings of classified documents")
        indexes = [models.Index(fields=["document", "-at"], name="documents_opening_doc_at")]

    def __str__(self) -> str:
        return f"{self.document_id} {self.user_id} {self.what}"
