"""Is the issued file still the one that was signed? The document page asks, for issued documents
only: the stored .docx and PDF are read again from the storage (in chunks, filesystem or S3) and
their SHA-256 compared with what was recorded when they were made after sign-off
(`Document.signed_sha256`, `signed_pdf_sha256`). Reading two files of some tens of KB costs about
a millisecond on local disk (docs/operations.md), so nothing is cached: a change shows at once."""

from dataclasses import dataclass

from core import rendering
from core.models import GeneratedFile
from documents.models import Document


@dataclass(frozen=True)
class SignedCheck:
    docx_changed: bool
    pdf_changed: bool

    @property
    def changed(self) -> bool:
        return self.docx_changed or self.pdf_changed


def signed_check(document: Document, ready: GeneratedFile | None) -> SignedCheck | None:
    """The comparison of the stored issued files (`ready`, the latest ready document file) with
    the hashes recorded at sign-off; None when there is nothing to compare yet."""
    if not document.signed_sha256 or ready is None:
        return None
    docx_changed = rendering.stored_sha256(ready.file) != document.signed_sha256
    pdf_changed = bool(document.signed_pdf_sha256) and rendering.stored_sha256(ready.pdf) != document.signed_pdf_sha256
    return SignedCheck(docx_changed=docx_changed, pdf_changed=pdf_changed)
