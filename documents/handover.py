"""What a person holds in official documents, and handing it to someone else (the handover app's
page and the reminder sweep's orphan report read and call these).

A person holds the documents they draft until they are archived: they revise a draft, withdraw it
from review, distribute the issued document and follow its acknowledgements. The new drafter
belongs to the drafting department. Each hand-over is logged on the document ("handed over:
A → B") and told to the new holder. Review seats (核稿人) are the departments' records
(departments/handover.py); review, countersign and sign-off otherwise follow roles, not names.
"""

from django.urls import reverse
from django.utils.translation import gettext as _

from core.actions import log_action
from departments.models import Membership, User
from documents.models import Document, DocumentAction
from documents.services.common import DocumentError, classified_message
from notifications.services import notify

ROLES = ("drafter",)
OPEN = [state for state in Document.State.values if state != Document.State.ARCHIVED]


def open_items_held_by(user: User) -> list[tuple[str, object]]:
    """(role, document) for every document `user` drafts that is not archived (one query)."""
    drafted = Document.objects.filter(drafter=user, state__in=OPEN).select_related("department").order_by("pk")
    return [("drafter", document) for document in drafted]


def inactive_holder_ids() -> set[int]:
    """People who cannot sign in any more but still draft a document on its way."""
    return set(Document.objects.filter(drafter__is_active=False, state__in=OPEN).values_list("drafter_id", flat=True))


def reassign(role: str, item, *, from_user: User, to_user: User, by: User) -> None:
    """Hand the document drafted by `from_user` to `to_user`; raises DocumentError when `to_user`
    is not a member of the drafting department. Run inside the caller's transaction."""
    document = Document.objects.select_for_update(of=("self",)).select_related("department").get(pk=item.pk)
    if document.drafter_id != from_user.pk or document.state not in OPEN:
        return  # handed on or archived meanwhile
    if not Membership.objects.filter(user=to_user, department=document.department).exists():
        raise DocumentError(
            _("%(name)s cannot take over “%(title)s”: they are not a member of %(department)s.")
            % {"name": to_user.name, "title": document.title, "department": document.department.display_name}
        )
    document.drafter = to_user
    document.save(update_fields=["drafter"])
    log_action(
        document,
        actor=by,
        action=DocumentAction.HANDED_OVER,
        from_state=document.state,
        comment=f"{from_user.name} → {to_user.name}",
        data={"role": role, "from": from_user.pk, "to": to_user.pk},
    )
    notify(
        [to_user],
        kind="handover.received",
        message=lambda: (
            classified_message(document, "handed_over")
            if document.named_only
            else _("The document “%(title)s” was handed over to you from %(name)s.")
            % {"title": document.title, "name": from_user.name}
        ),
        path=reverse("documents:detail", args=[document.pk]),
        actor=by,
        target=document,
    )
