"""The history of the organisation's configuration (django-simple-history).

Every model the admins and department administrators configure is registered here, with its
historical table in this app, so no other app's migrations change and no lower app imports this
one. Each save, delete and many-to-many change writes one historical row: who (the signed-in
person through HistoryRequestMiddleware; nobody for commands and workers, shown as "system"),
when, and the row as it then stood. Bulk writes send no signals: they record their history
through `core.bulk_history`.

Secrets never reach a historical row: a robot's signing secret and an app's secret are kept as a
fingerprint (enough to say "changed"), a robot's webhook URL as its scheme and host.
"""

import hashlib
from urllib.parse import urlsplit

import simple_history
from django.dispatch import receiver
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

from departments.models import CalendarDay, Delegation, Department, Membership, Skill, User, WorkCalendar
from documents.models import DocumentTemplate
from notifications.models import ImApp, ImRobot
from tasks.models import ApprovalStep, RequestField, RequestType

APP = "confighistory"


class ConfigRecords(HistoricalRecords):
    """simple-history's records, writing a row only for a real change: a save that changed no
    recorded field (an admin form saved as it was, a person's sign-in or new password) and a
    many-to-many add or remove of nothing leave no row behind, so every entry of the log says
    something."""

    def post_save(self, instance, created, using=None, **kwargs):
        if not created and not self._changed(instance, kwargs.get("update_fields")):
            return
        super().post_save(instance, created, using=using, **kwargs)

    def _changed(self, instance, update_fields) -> bool:
        recorded = self.fields_included(instance)
        if update_fields is not None and not {field.name for field in recorded}.intersection(update_fields):
            return False
        names = [field.attname for field in recorded]
        last = getattr(instance, self.manager_name).order_by("-history_id").values(*names).first()
        return last is None or any(last[name] != kept(instance, name) for name in names)

    def m2m_changed(self, instance, action, attr, pk_set, reverse, **kwargs):
        if action in ("post_add", "post_remove") and not pk_set:
            return
        super().m2m_changed(instance, action, attr, pk_set, reverse, **kwargs)


def register(model, **options) -> None:
    simple_history.register(model, app=APP, records_class=ConfigRecords, **options)


# What a person's record keeps: who they are in the organisation and their rights, not their
# password, sign-ins or personal details and preferences.
PERSON_IGNORED = ["password", "last_login", "date_joined", "first_name", "last_name", "email", "phone", "language"]

register(Skill)
register(User, excluded_fields=PERSON_IGNORED, m2m_fields=["skills"])
register(Department, m2m_fields=["deputies", "document_reviewers", "administrators"])
register(Membership)
register(Delegation)
register(WorkCalendar)
register(CalendarDay)
register(ImRobot)
register(ImApp)
# The catalogue's working draft is not configuration in force: publishing it writes the type, its
# fields and steps, whose rows record each change with its diff.
# co_handled only says whether co_departments names any (their own entry shows the change).
register(
    RequestType, m2m_fields=["skills", "filing_departments", "co_departments"], excluded_fields=["draft", "co_handled"]
)
register(RequestField)
register(ApprovalStep, m2m_fields=["users"])
register(DocumentTemplate)


def fingerprint(secret: str) -> str:
    """A secret as the history keeps it: enough to tell that it changed, nothing to use."""
    if not secret or secret.startswith("sha256:"):
        return secret
    return "sha256:" + hashlib.sha256(secret.encode()).hexdigest()[:12]


def masked_url(url: str) -> str:
    """A webhook URL without the token in its path or query: scheme and host, and a fingerprint of
    the whole so that a new token shows as a change."""
    if not url or url.endswith("]"):
        return url
    parts = urlsplit(url)
    where = f"{parts.scheme}://{parts.netloc}/…" if parts.scheme and parts.netloc else "…"
    return f"{where} [{fingerprint(url)[7:15]}]"


def kept(instance, name: str):
    """A field's value as its historical row keeps it."""
    value = getattr(instance, name)
    if isinstance(instance, ImRobot | ImApp) and name == "secret":
        return fingerprint(value)
    if isinstance(instance, ImRobot) and name == "url":
        return masked_url(value)
    return value


@receiver(pre_create_historical_record)
def _keep_no_secret(sender, history_instance, **kwargs) -> None:
    if sender in (ImRobot.history.model, ImApp.history.model):
        history_instance.secret = fingerprint(history_instance.secret)
    if sender is ImRobot.history.model:
        history_instance.url = masked_url(history_instance.url)
