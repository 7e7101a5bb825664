"""Registering incoming documents."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.previews import request_pdf
from core.uploads import UploadRejected, check_upload
from departments.models import Department, User
from documents.models import Document, IncomingDocument, IncomingRoute
from documents.services.common import DocumentError

# Received documents (收文)


def incoming_type(department: Department):
    """The request type a department handles received documents with, made on first use; admins
    may then change its deadlines, assignment and approval chain like any other type."""
    from tasks.models import RequestType

    request_type, _created = RequestType.objects.get_or_create(
        code=f"incoming-{department.code}"[:40],
        defaults={
            "department": department,
            "name": "收文办理",
            "name_en": "Handle a received document",
            "purpose": "办理外单位来文：阅知、落实并回复。",
            "purpose_en": "Handle a document received from outside: read it, act on it, answer it.",
            "accept_sla_hours": 4,
            "finish_sla_hours": 24,
            "is_active": True,
        },
    )
    return request_type


def incoming_register(
    *,
    by: User,
    title: str,
    source: str,
    file,
    departments,
    their_number: str = "",
    dated=None,
    received_on=None,
    urgency: str = Document.Urgency.NORMAL,
    summary: str = "",
    secrecy: str = Document.Secrecy.INTERNAL,
) -> IncomingDocument:
    """Register a received document and route it: each department gets a request to handle it,
    in its inbox like any other. All of it is saved, or none of it. A classified one (秘密) makes
    confidential requests: of each department only its managers and the person handling it see
    them, as they see the received document (documents.selectors.visible_incoming)."""
    from documents.rules import may_register_incoming
    from tasks.services import TaskError, storage_failed, task_create

    if not may_register_incoming(by):
        raise PermissionDenied
    departments = list(departments)
    if not departments:
        raise DocumentError(_("Choose at least one department to handle it."))
    try:
        check_upload(file)
    except UploadRejected as exc:
        raise DocumentError(str(exc)) from None
    priority = {"urgent": 3, "extra_urgent": 4}.get(urgency)
    with transaction.atomic():
        try:
            incoming = IncomingDocument.objects.create(
                title=title.strip(),
                source=source.strip(),
                their_number=their_number.strip(),
                dated=dated,
                received_on=received_on or timezone.localdate(),
                urgency=urgency,
                summary=summary,
                secrecy=secrecy,
                file=file,
                registered_by=by,
            )
        except OSError as exc:
            raise DocumentError(storage_failed(exc)) from None
        request_pdf(incoming, IncomingDocument.PDF_KIND, incoming.file_name)  # made after the commit
        path = reverse("documents:incoming_detail", args=[incoming.pk])
        for department in departments:
            description = "\n".join(
                line
                for line in (
                    f"{_('From')}: {incoming.source}" + (f" {incoming.their_number}" if incoming.their_number else ""),
                    incoming.summary,
                    f"{_('Received document')}: {path}",
                )
                if line
            )
            try:
                task = task_create(
                    by=by,
                    request_type=incoming_type(department),
                    title=f"【收文】{incoming.title}"[:200],
                    description=description,
                    priority=priority,
                    confidential=incoming.named_only,
                    submit=True,
                )
            except TaskError as exc:
                raise DocumentError(str(exc)) from None
            IncomingRoute.objects.create(incoming=incoming, department=department, task=task)
    return incoming
