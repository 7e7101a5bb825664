"""Use cases of official documents: the workflow from draft to archive, rendering, and the
document-number register (文号): take a number at issue, reserve one (占号), issue a reserved one,
void one (退号) with a reason, and audit a register for gaps."""

from documents.services.classified import document_opened as document_opened
from documents.services.classified import document_pass_to as document_pass_to
from documents.services.common import DocumentConflict as DocumentConflict
from documents.services.common import DocumentError as DocumentError
from documents.services.common import DocumentForbidden as DocumentForbidden
from documents.services.common import classified_message as classified_message
from documents.services.common import conflict as conflict
from documents.services.common import prefix_of as prefix_of
from documents.services.distribution import document_acknowledge as document_acknowledge
from documents.services.distribution import document_archive as document_archive
from documents.services.distribution import document_distribute as document_distribute
from documents.services.distribution import document_remind as document_remind
from documents.services.distribution import document_render as document_render
from documents.services.distribution import remind_unacknowledged as remind_unacknowledged
from documents.services.drafting import document_create as document_create
from documents.services.drafting import document_edit as document_edit
from documents.services.drafting import document_submit as document_submit
from documents.services.drafting import document_withdraw as document_withdraw
from documents.services.drafting import template_upload as template_upload
from documents.services.incoming import incoming_register as incoming_register
from documents.services.numbers import NumberError as NumberError
from documents.services.numbers import gap_audit as gap_audit
from documents.services.numbers import number_issue_reserved as number_issue_reserved
from documents.services.numbers import number_reserve as number_reserve
from documents.services.numbers import number_take as number_take
from documents.services.numbers import number_void as number_void
from documents.services.numbers import reserved_numbers_for as reserved_numbers_for
from documents.services.review import document_countersign as document_countersign
from documents.services.review import document_review as document_review
from documents.services.review import document_sign_off as document_sign_off
