"""The .docx files of official documents: the document itself in the GB/T 9704 layout (or in the
organisation's own template) and its processing sheet (发文稿纸) with every opinion. Both also
become PDFs on the worker (core.pdf). An issued document carries its department's seal; once its
file is made, the SHA-256 of the .docx and the PDF are recorded on the document (`record_signed`)
and printed on the processing sheet, so a file changed afterwards can be told apart."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import rendering
from core.docx_layout import OfficialDocument, Sheet, SheetSection, check, render, render_sheet
from documents.body import parse
from documents.models import DepartmentSeal, Document, DocumentAttachment, DocumentKind, IncomingDocument
from documents.usertemplates import TemplateRejected, fill


def _can_view(user, document: Document) -> bool:
    """Who may see the document may take its files, except those a 绝密 document was passed to:
    they read it on its page (documents.rules.may_take_files)."""
    from documents.rules import may_take_files
    from documents.selectors import visible_documents

    return visible_documents(user).filter(pk=document.pk).exists() and may_take_files(user, document)


def _downloaded(user, document: Document, job) -> None:
    """A classified document's .docx downloads go into its log of openings."""
    from documents.models import DocumentOpening
    from documents.services import document_opened

    document_opened(document=document, by=user, what=DocumentOpening.What.DOWNLOAD, detail=f"{job.kind} v{job.version}")


def _attachment_opened(user, attachment: DocumentAttachment, job) -> None:
    """The PDF of a classified document's 附件 is an opening of the document, as the file is."""
    from documents.models import DocumentOpening
    from documents.services import document_opened

    document_opened(
        document=attachment.document, by=user, what=DocumentOpening.What.DOWNLOAD, detail=f"{attachment.name} (PDF)"
    )


def _can_view_incoming(user, incoming: IncomingDocument) -> bool:
    from documents.selectors import visible_incoming

    return visible_incoming(user).filter(pk=incoming.pk).exists()


# Uploaded word-processing files' PDFs, for their previews: whoever may download the file.
rendering.converter(
    DocumentAttachment.PDF_KIND,
    can_view=lambda user, attachment: _can_view(user, attachment.document),
    upload=lambda attachment: (attachment.file, attachment.name),
    downloaded=_attachment_opened,
)
rendering.converter(
    IncomingDocument.PDF_KIND,
    can_view=_can_view_incoming,
    upload=lambda incoming: (incoming.file, incoming.file_name),
)


def _filename(document: Document) -> str:
    return document.number.text if document.number_id else document.title[:60]


def provisional_number(document: Document) -> str:
    """The number line of a draft: the register's prefix and year, the number left blank."""
    from documents.services import prefix_of

    return f"{prefix_of(document.department)}〔{timezone.localdate().year}〕　　号"


def seal_of(document: Document) -> bytes | None:
    """The issuing department's seal image, for an issued document (a draft carries none)."""
    if document.issued_at is None:
        return None
    seal = DepartmentSeal.objects.filter(department_id=document.department_id).first()
    if seal is None or not seal.image:
        return None
    with seal.image.open("rb") as handle:
        return handle.read()


def spec_of(document: Document) -> OfficialDocument:
    """What the layout renderer needs, from a document."""
    return OfficialDocument(
        organ=f"{settings.ORGANISATION_NAME}{document.department.name}文件",
        number=document.number.text if document.number_id else provisional_number(document),
        title=document.title,
        recipients=document.recipients,
        body=parse(document.body),
        issuer=f"{settings.ORGANISATION_NAME}{document.department.name}",
        issued_on=timezone.localdate(document.issued_at) if document.issued_at else timezone.localdate(),
        cc=document.cc,
        # The marks printed on the document are the standard's Chinese words, whatever the reader's language.
        urgency={"urgent": "加急", "extra_urgent": "特急"}.get(document.urgency, ""),
        confidentiality=document.secrecy_mark,
        seal=seal_of(document),
    )


def file_version(document: Document) -> str:
    """A document's file changes with its text (version) and when it gets its number."""
    return f"{document.version}-{document.number_id or 0}"


def sheet_version(document: Document, opinions: int) -> str:
    """The processing sheet changes with the document's file, with every opinion added, and once
    more when the issued file's SHA-256 is known."""
    return f"{file_version(document)}-{opinions}" + ("-signed" if document.signed_sha256 else "")


def record_signed(document: Document, job) -> None:
    """After a document file is made: if it is the issued version, record its hashes (once) and
    make the processing sheet again, which prints them."""
    if document.issued_at is None or job.version != file_version(document) or document.signed_sha256:
        return
    with transaction.atomic():
        recorded = Document.objects.filter(pk=document.pk, signed_sha256="").update(
            signed_sha256=job.sha256, signed_pdf_sha256=job.pdf_sha256
        )
        if not recorded:
            return
        document.signed_sha256, document.signed_pdf_sha256 = job.sha256, job.pdf_sha256
        rendering.request_file(document, "processing_sheet", version=sheet_version(document, document.opinions.count()))


@rendering.builder(
    "document",
    can_view=_can_view,
    filename=_filename,
    downloaded=_downloaded,
    check=lambda document, data: [] if document.template_id else check(data, numbered=bool(document.number_id)),
    pdf=True,
    on_ready=record_signed,
)
def document_docx(document: Document) -> bytes:
    spec = spec_of(document)
    if document.template_id is None:
        return render(spec)
    values = {
        "organ": spec.organ,
        "number": spec.number,
        "title": spec.title,
        "recipients": spec.recipients,
        "issuer": spec.issuer,
        "date": f"{spec.issued_on.year}年{spec.issued_on.month}月{spec.issued_on.day}日",
        "cc": spec.cc,
        "urgency": spec.urgency,
        "confidentiality": spec.confidentiality,
        "kind": str(DocumentKind(document.kind).label),
        "drafter": document.drafter.name,
    }
    body = []
    for block in spec.body:
        if block.kind == "list":
            body.extend(f"（{i}）{item}" for i, item in enumerate(block.items, start=1))
        elif block.kind == "table":
            body.extend("　".join(row) for row in block.rows)
        else:
            body.append(block.text)
    with document.template.file.open("rb") as handle:
        data = handle.read()
    with translation.override("en"):  # a refusal is kept as a message id, shown in the reader's language
        try:
            return fill(data, values, body)
        except TemplateRejected as exc:
            raise rendering.CannotRender(str(exc)) from None


@rendering.builder(
    "processing_sheet",
    can_view=_can_view,
    filename=lambda d: f"{_filename(d)}-发文稿纸",
    downloaded=_downloaded,
    pdf=True,
)
def processing_sheet_docx(document: Document) -> bytes:
    """发文稿纸: the document's particulars and every opinion, as signed."""
    opinions = document.opinions.select_related("author", "acting_for", "department")
    rows = [[_("Stage"), _("Department"), _("Who"), _("Decision"), _("Opinion"), _("Date")]]
    for opinion in opinions:
        who = opinion.author.name
        if opinion.acting_for_id:
            who = _("%(who)s (for %(whom)s)") % {"who": who, "whom": opinion.acting_for.name}
        rows.append(
            [
                opinion.get_stage_display(),
                opinion.department.display_name,
                who,
                opinion.get_decision_display(),
                opinion.text,
                timezone.localtime(opinion.created_at).strftime("%Y-%m-%d %H:%M"),
            ]
        )
    sheet = Sheet(
        organ=f"{settings.ORGANISATION_NAME}{document.department.name}",
        title=_("Processing sheet (发文稿纸)"),
        fields=[
            (_("Document number"), document.number.text if document.number_id else ""),
            (_("Title"), document.title),
            (_("Kind"), DocumentKind(document.kind).label),
            (_("Urgency"), document.get_urgency_display()),
            (_("Confidentiality"), document.secrecy_mark or document.get_secrecy_display()),
            (_("Drafting department"), document.department.display_name),
            (_("Drafter"), document.drafter.name),
            (_("Main recipients"), document.recipients),
            (_("CC"), document.cc),
            (
                _("Countersigning departments"),
                "、".join(d.display_name for d in document.countersign_departments.all()),
            ),
            (_("Version"), str(document.version)),
            *(
                [
                    (_("SHA-256 of the issued .docx"), document.signed_sha256),
                    (_("SHA-256 of the issued PDF"), document.signed_pdf_sha256 or _("no PDF was made")),
                ]
                if document.signed_sha256
                else []
            ),
        ],
        sections=[SheetSection(_("Opinions"), rows=rows if len(rows) > 1 else [])],
        footer=_("Printed %(when)s") % {"when": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
    )
    if len(rows) == 1:
        sheet.sections[0].paragraphs.append(_("No opinion yet."))
    return render_sheet(sheet)
