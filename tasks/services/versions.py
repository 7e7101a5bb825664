"""The request type catalogue's versions: a department administrator edits a draft of a type's
guide, fields and approval steps, then publishes it in one step. Publishing rewrites the live
rows (through save(), so whatever records model history sees them) and keeps the published state
as a numbered RequestTypeVersion; requests filed earlier keep theirs."""

import copy
from decimal import Decimal

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core.actions import log_action, log_actions
from departments.models import Department, User
from tasks.models import ApprovalStep, RequestField, RequestType, RequestTypeAction, RequestTypeVersion
from tasks.selectors.versions import (
    DECIMALS,
    FIELD_KEYS,
    GUIDE_KEYS,
    STEP_KEYS,
    draft_of,
    guide_only_snapshot,
    snapshot_of,
)
from tasks.services.common import TaskError


def _may_administer(by: User, department: Department) -> None:
    if not by.has_perm("departments.administer", department):
        raise TaskError(_("Only the department's administrators edit its service catalogue."))


def _locked(request_type: RequestType, by: User) -> RequestType:
    row = RequestType.objects.select_for_update().select_related("department").get(pk=request_type.pk)
    _may_administer(by, row.department)
    return row


def empty_snapshot(name: str = "", name_en: str = "") -> dict:
    guide = {key: "" for key in GUIDE_KEYS}
    guide.update(
        name=name,
        name_en=name_en,
        default_priority=2,
        accept_sla_hours="4",
        finish_sla_hours="16",
        confidential=False,
        filing_departments=[],
        co_departments=[],
    )
    return {"guide": guide, "fields": [], "steps": []}


def request_type_create(*, by: User, department: Department, code: str, name: str, name_en: str = "") -> RequestType:
    """A new request type of `department`, unpublished (so nobody can file it yet) with an empty draft."""
    _may_administer(by, department)
    if RequestType.objects.filter(code=code).exists():
        raise TaskError(_("A request type with this code exists already; choose another code."))
    with transaction.atomic():
        request_type = RequestType(
            department=department,
            code=code,
            name=name,
            name_en=name_en,
            is_active=False,
            draft=empty_snapshot(name, name_en),
        )
        request_type.save()
        log_action(request_type, actor=by, action=RequestTypeAction.CREATED)
    return request_type


def request_type_save_draft(
    *, request_type: RequestType, by: User, draft: dict | None = None, change=None, comment: str = ""
) -> RequestType:
    """Keep `draft` (a snapshot-shaped dict the catalogue's forms checked) as the type's draft, or
    apply `change` (a function that edits the draft in place, and may raise TaskError) to the
    draft as it is under the row's lock, so two editors never lose each other's edits."""
    with transaction.atomic():
        row = _locked(request_type, by)
        if change is not None:
            draft = copy.deepcopy(draft_of(row))
            change(draft)
        row.draft = draft
        row.save(update_fields=["draft"])
        log_action(row, actor=by, action=RequestTypeAction.DRAFT_EDITED, comment=comment[:2000])
    request_type.draft = row.draft
    return row


def request_type_discard_draft(*, request_type: RequestType, by: User) -> RequestType:
    with transaction.atomic():
        row = _locked(request_type, by)
        if row.current_version_id is None:
            raise TaskError(_("This type was never published: there is no published version to go back to."))
        if row.draft is None:
            return row
        row.draft = None
        row.save(update_fields=["draft"])
        log_action(row, actor=by, action=RequestTypeAction.DRAFT_DISCARDED)
    return row


def draft_problems(draft: dict) -> list[str]:
    """What keeps a draft from being published, in words for its editor."""
    problems = []
    guide = draft.get("guide", {})
    if not (guide.get("name") or "").strip():
        problems.append(_("The type needs a name."))
    if len({f["key"] for f in draft.get("fields", [])}) != len(draft.get("fields", [])):
        problems.append(_("Two fields share a key."))
    for number, step in enumerate(draft.get("steps", []), start=1):
        if step.get("approver") == ApprovalStep.Approver.DEPARTMENT_HEAD and not step.get("department"):
            problems.append(_("Step %(n)s: name the department whose head approves.") % {"n": number})
        if step.get("approver") == ApprovalStep.Approver.USERS and not step.get("users"):
            problems.append(_("Step %(n)s: name the people who approve.") % {"n": number})
    return problems + condition_problems(draft)


def condition_problems(draft: dict) -> list[str]:
    """Steps whose condition no longer fits the draft's fields (a field gone, its kind or choices changed)."""
    problems = []
    fields = {f["key"]: f for f in draft.get("fields", [])}
    for number, step in enumerate(draft.get("steps", []), start=1):
        key = step.get("condition_field")
        if not key:
            continue
        field = fields.get(key)
        if step.get("condition_operator") == ApprovalStep.Operator.IN:
            choices = set(RequestField(choices=field["choices"]).choice_list) if field else set()
            wanted = set(ApprovalStep(condition_choices=step.get("condition_choices", "")).condition_choice_list)
            if field is None or field["kind"] != RequestField.Kind.CHOICE:
                problems.append(_("Step %(n)s: its condition names no choice field of this type.") % {"n": number})
            elif not wanted or not wanted <= choices:
                problems.append(_("Step %(n)s: its condition names answers the field does not offer.") % {"n": number})
        elif field is None or field["kind"] not in RequestField.NUMERIC_KINDS:
            problems.append(
                _("Step %(n)s: its condition names no number or amount field of this type.") % {"n": number}
            )
    return problems


def _value(key: str, value):
    if key in DECIMALS:
        return None if value in (None, "") else Decimal(str(value))
    return value


def _apply(row: RequestType, draft: dict) -> None:
    """Rewrite the live guide, fields and steps from `draft`, row by row through save()."""
    guide = draft["guide"]
    for key in GUIDE_KEYS:
        if key in guide:
            setattr(row, key, _value(key, guide[key]))
    named = list(Department.objects.filter(pk__in=guide.get("filing_departments") or []))
    row.filing_restricted = bool(named)
    # The type's own department leads (主办); it is never its own co-handler.
    co = list(Department.objects.filter(pk__in=guide.get("co_departments") or []).exclude(pk=row.department_id))
    row.co_handled = bool(co)
    row.save()
    row.filing_departments.set(named)
    row.co_departments.set(co)
    live = {field.key: field for field in row.fields.all()}
    wanted = [data["key"] for data in draft.get("fields", [])]
    for field in live.values():
        if field.key not in wanted:
            field.delete()
    for order, data in enumerate(draft.get("fields", []), start=1):
        field = live.get(data["key"]) or RequestField(request_type=row, key=data["key"])
        for key in FIELD_KEYS:
            if key in data and key != "key":
                setattr(field, key, _value(key, data[key]))
        field.order = order
        field.save()
    # Steps have no key: the n-th step of the draft rewrites the n-th live one, so a changed step is
    # recorded as a change (its differences in the history), not as one removed and one added.
    live_steps = list(row.steps.order_by("order", "pk"))
    wanted_steps = draft.get("steps", [])
    for step in live_steps[len(wanted_steps) :]:
        step.delete()
    for order, data in enumerate(wanted_steps, start=1):
        step = live_steps[order - 1] if order <= len(live_steps) else ApprovalStep(request_type=row)
        step.order, step.department_id = order, data.get("department")
        for key in STEP_KEYS:
            setattr(step, key, _value(key, data.get(key, ApprovalStep._meta.get_field(key).get_default())))
        step.save()
        step.users.set(User.objects.filter(pk__in=data.get("users") or []))


def _publish(row: RequestType, by: User | None, draft: dict, *, activate: bool = True) -> RequestTypeVersion:
    """Make `draft` the type's new current version (the row locked by the caller); a first
    version puts the type in use unless `activate` is False."""
    if problems := draft_problems(draft):
        raise TaskError(" ".join(problems))
    first = row.current_version_id is None
    _apply(row, draft)
    number = (row.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    version = RequestTypeVersion.objects.create(
        request_type=row, number=number, published_at=timezone.now(), published_by=by, snapshot=snapshot_of(row)
    )
    row.current_version = version
    row.draft = None
    if first and activate:
        row.is_active = True
    row.save(update_fields=["current_version", "draft", "is_active"])
    return version


def request_type_publish(*, request_type: RequestType, by: User) -> RequestTypeVersion:
    """Publish the draft at once: new requests are filed on it; those filed earlier keep their version."""
    with transaction.atomic():
        row = _locked(request_type, by)
        if row.draft is None and row.current_version_id is not None:
            raise TaskError(_("Nothing to publish: the draft is the same as the published version."))
        version = _publish(row, by, draft_of(row))
        log_action(row, actor=by, action=RequestTypeAction.PUBLISHED, data={"version": version.number})
    return version


def draft_in_the_way(request_type: RequestType) -> str:
    """Why a change made outside the catalogue cannot be published over the type's unpublished
    draft ("" when there is none). The draft was made from the version before: published after the
    change, it would silently take the change back; discarded, its editor's work would be lost."""
    if request_type.draft is None:
        return ""
    return _(
        "The request type %(name)s (%(code)s) has unpublished changes in the service catalogue: "
        "its department publishes or discards them first, then import again."
    ) % {"name": request_type.display_name, "code": request_type.code}


def request_type_publish_guide(
    *, request_type: RequestType, by: User | None, guide: dict, comment: str = ""
) -> RequestTypeVersion:
    """Publish the type as it stands with `guide` (guide keys and their values) over its guide, as
    a new version, by the path the catalogue's publish takes: for a change made outside the
    catalogue (the organisation workbook's import, whose caller checked the admin's right). A type
    with an unpublished draft is refused (draft_in_the_way); whether it is in use stays as it is.
    The history records `by` and `comment` (also the action log's comment)."""
    unknown = set(guide) - set(GUIDE_KEYS)
    if unknown:
        raise ValueError(f"not guide keys: {sorted(unknown)}")
    with transaction.atomic():
        row = RequestType.objects.select_for_update().select_related("department").get(pk=request_type.pk)
        if refusal := draft_in_the_way(row):
            raise TaskError(refusal)
        draft = snapshot_of(row)
        draft["guide"].update({key: str(value) if key in DECIMALS else value for key, value in guide.items()})
        # The configuration history's author and reason (simple-history reads them from the
        # instance): outside a request (a command, a test) no middleware names the author.
        if by is not None:
            row._history_user = by
        row._change_reason = comment[:100]
        version = _publish(row, by, draft, activate=False)
        log_action(
            row, actor=by, action=RequestTypeAction.PUBLISHED, comment=comment[:2000], data={"version": version.number}
        )
    return version


def request_types_publish_first(*, request_types: list[RequestType], by: User | None, comment: str = "") -> None:
    """Version 1 of types created outside the catalogue with their guide alone (the workbook
    import's new rows), in bulk: with no fields, steps or departments named, a type's snapshot is
    its guide and nothing live needs rewriting, so a thousand types cost a few queries, not a
    publish each. Whether each type is in use stays as it is."""
    if any(t.current_version_id is not None or t.pk is None for t in request_types):
        raise ValueError("request_types_publish_first takes saved types never published")
    if not request_types:
        return
    now = timezone.now()
    versions = RequestTypeVersion.objects.bulk_create(
        [
            RequestTypeVersion(
                request_type=t, number=1, published_at=now, published_by=by, snapshot=guide_only_snapshot(t)
            )
            for t in request_types
        ],
        batch_size=1000,
    )
    for request_type, version in zip(request_types, versions, strict=True):
        request_type.current_version = version
    RequestType.objects.bulk_update(request_types, ["current_version"], batch_size=1000)
    log_actions(
        request_types, actor=by, action=RequestTypeAction.PUBLISHED, comment=comment[:2000], data={"version": 1}
    )


def request_type_restore(*, request_type: RequestType, by: User, version: RequestTypeVersion) -> RequestType:
    """Copy an earlier published version into the draft, to publish again as it is or after edits."""
    with transaction.atomic():
        row = _locked(request_type, by)
        if version.request_type_id != row.pk:
            raise TaskError(_("That version belongs to another request type."))
        row.draft = version.snapshot
        row.save(update_fields=["draft"])
        log_action(row, actor=by, action=RequestTypeAction.RESTORED, data={"version": version.number})
    return row


def request_type_publish_version(
    *, request_type: RequestType, by: User, version: RequestTypeVersion, discard_draft: bool = False
) -> RequestTypeVersion:
    """One-click restore: publish an earlier version again, as a new version (requests filed in
    between keep theirs). A draft with unpublished changes is discarded only when `discard_draft`
    says its editor agreed; otherwise nothing changes and the refusal says why."""
    with transaction.atomic():
        row = _locked(request_type, by)
        if version.request_type_id != row.pk:
            raise TaskError(_("That version belongs to another request type."))
        if version.pk == row.current_version_id:
            raise TaskError(
                _("Version %(number)s is the current version already (to drop the draft's changes, discard the draft).")
                % {"number": version.number}
            )
        discarded = row.draft is not None
        if discarded and not discard_draft:
            raise TaskError(
                _("The draft has unpublished changes: confirm that they may be discarded, then restore again.")
            )
        published = _publish(row, by, copy.deepcopy(version.snapshot))
        log_action(
            row,
            actor=by,
            action=RequestTypeAction.RESTORED_PUBLISHED,
            data={"version": published.number, "restored": version.number, "draft_discarded": discarded},
        )
    return published


def request_type_retire(*, request_type: RequestType, by: User) -> RequestType:
    """Take the type out of filing; its requests stay as they are."""
    with transaction.atomic():
        row = _locked(request_type, by)
        if not row.is_active:
            raise TaskError(_("This request type is not in use already."))
        row.is_active = False
        row.save(update_fields=["is_active"])
        log_action(row, actor=by, action=RequestTypeAction.RETIRED)
    return row


def request_type_reinstate(*, request_type: RequestType, by: User) -> RequestType:
    with transaction.atomic():
        row = _locked(request_type, by)
        if row.is_active:
            raise TaskError(_("This request type is in use already."))
        if row.current_version_id is None:
            raise TaskError(_("Publish the type first: it has no version to file on."))
        row.is_active = True
        row.save(update_fields=["is_active"])
        log_action(row, actor=by, action=RequestTypeAction.REINSTATED)
    return row
