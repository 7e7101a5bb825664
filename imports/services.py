"""Importing and exporting the organisation's workbook.

`plan_import(sheets)` reads what is stored (a fixed number of queries, whatever the number of
rows), checks every row against it and against the rest of the file, and says for each row whether
it is new, changed, unchanged or wrong. `import_workbook(...)` plans again inside one transaction
and, only when no row is wrong, writes the whole plan with bulk inserts and updates; a file with
any wrong row writes nothing. Rows are matched by their key (a skill's name, a department's or a
request type's code, a person's login, a person and a department for a membership): an import
creates and updates, it never deletes.

A request type's guide columns (its names, purpose, materials, times and priority) are part of its
published version, which filed requests keep: an import that changes them publishes a new version
of the type through the catalogue's service (one per changed type, none for the others), and a new
type gets its version 1; a type whose catalogue draft is unpublished is refused, not overwritten.
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core.actions import log_action
from core.bulk_history import record_bulk
from departments.models import Department, Membership, Skill, User
from departments.signals import people_changed_in_bulk
from imports.models import ImportAction
from imports.spreadsheet import LIST_SEPARATOR, SHEETS, Sheet
from tasks import services as task_services
from tasks.models import RequestType
from tasks.selectors.versions import GUIDE_KEYS

BOOLEAN_COLUMNS = {"accepts_requests", "is_active", "can_sign_off", "is_primary"}
INTEGER_COLUMNS = {"sort_order", "default_priority"}
DECIMAL_COLUMNS = {"accept_sla_hours", "finish_sla_hours"}
TRUE_WORDS = {"true", "yes", "y", "1", "是", "x", "✓"}
FALSE_WORDS = {"false", "no", "n", "0", "否"}
# A request type's columns that its published versions hold (the rest: department, dispatch,
# skills, in use, order are the live type's alone).
VERSIONED_COLUMNS = frozenset(GUIDE_KEYS)
BATCH = 1000


class Role:
    """A person's role in a department as the workbook names it: the department's head, a deputy
    head, another manager, or a member (heads and deputies are managers by their membership)."""

    HEAD = "head"
    DEPUTY = "deputy"
    MANAGER = "manager"
    MEMBER = "member"
    ALL = (MEMBER, HEAD, DEPUTY, MANAGER)


class ImportCollided(Exception):
    """Another change to the same rows (another admin's import) committed while this one was saving;
    nothing of this one was saved."""


class ImportRefused(Exception):
    """The file has wrong rows; `plan.problems` names each."""

    def __init__(self, plan: "Plan"):
        super().__init__("the workbook has wrong rows")
        self.plan = plan


@dataclass
class Problem:
    sheet: str
    row: int
    column: str
    message: str


@dataclass
class RowOutcome:
    sheet: str
    row: int
    key: str
    status: str = "unchanged"  # new · changed · unchanged · error
    problems: list[Problem] = field(default_factory=list)


@dataclass
class Plan:
    """What an import would do, row by row, and the writes that do it."""

    outcomes: dict[str, list[RowOutcome]] = field(default_factory=dict)
    creates: dict[str, list] = field(default_factory=dict)
    updates: dict[str, dict] = field(default_factory=dict)  # sheet -> {object id: (object, fields)}
    links_added: dict[str, list] = field(default_factory=dict)
    links_removed: dict[str, list] = field(default_factory=dict)
    # Codes of the stored request types whose guide changes: each gets a new published version.
    new_versions: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[Problem]:
        return [problem for rows in self.outcomes.values() for row in rows for problem in row.problems]

    @property
    def ok(self) -> bool:
        return not self.problems

    def counts(self) -> dict[str, dict[str, int]]:
        counted = {}
        for sheet, rows in self.outcomes.items():
            tally = {"new": 0, "changed": 0, "unchanged": 0, "error": 0}
            for row in rows:
                tally[row.status] += 1
            counted[sheet] = tally
        return counted

    @property
    def changes_anything(self) -> bool:
        return any(tally["new"] or tally["changed"] for tally in self.counts().values())


# Reading cells.


def _boolean(value) -> bool:
    if isinstance(value, bool):
        return value
    word = str(value).strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(_("Write yes or no (or 1 and 0)."))


def _integer(value) -> int:
    if isinstance(value, bool):
        raise ValueError(_("Write a whole number."))
    try:
        return int(str(value).strip())
    except ValueError:
        raise ValueError(_("Write a whole number.")) from None


def _decimal(value) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(_("Write a number.")) from None
    if not number.is_finite():
        raise ValueError(_("Write a number."))
    return number


def _text(value) -> str:
    return value if isinstance(value, str) else str(value)


def _names(value) -> list[str]:
    return [name.strip() for name in _text(value).split(LIST_SEPARATOR) if name.strip()]


class _Planner:
    """Builds a Plan from the sheets of a workbook against what is stored."""

    def __init__(self, sheets: dict[str, Sheet]):
        self.sheets = sheets
        self.plan = Plan()
        self.skills: dict[str, Skill] = {}
        self.departments: dict[str, Department] = {}
        self.people: dict[str, User] = {}
        # Stored links, by the related objects' keys.
        self.skill_names: dict[int, str] = {}
        # A request type's row outcome, by the type (id()), for a refusal met while writing.
        self.type_outcomes: dict[int, RowOutcome] = {}

    # Rows and fields.

    def _outcome(self, sheet: str, row, key: str) -> RowOutcome:
        outcome = RowOutcome(sheet=sheet, row=row.number, key=key)
        self.plan.outcomes.setdefault(sheet, []).append(outcome)
        return outcome

    def _problem(self, outcome: RowOutcome, column: str, message: str) -> None:
        outcome.problems.append(Problem(outcome.sheet, outcome.row, column, str(message)))
        outcome.status = "error"

    def _wanted(self, outcome: RowOutcome, row, columns) -> dict:
        """The values the row asks for, by field, converted; blank yes/no and number cells keep
        what is stored (or the default)."""
        wanted = {}
        for column in columns:
            if column not in row.values:
                continue
            value = row.values[column]
            try:
                if column in BOOLEAN_COLUMNS or column in INTEGER_COLUMNS or column in DECIMAL_COLUMNS:
                    if value == "":
                        continue
                    if column in BOOLEAN_COLUMNS:
                        value = _boolean(value)
                    elif column in INTEGER_COLUMNS:
                        value = _integer(value)
                    else:
                        value = _decimal(value)
                else:
                    value = _text(value)
            except ValueError as exc:
                self._problem(outcome, column, str(exc))
                continue
            wanted[column] = value
        return wanted

    def _settle(self, outcome: RowOutcome, sheet: str, obj, wanted: dict, *, key_field: str) -> None:
        """Apply the wanted values to obj, validate the fields the file gives, and file the write."""
        is_new = obj.pk is None
        changed = [name for name, value in wanted.items() if getattr(obj, name) != value]
        for name in changed:
            setattr(obj, name, wanted[name])
        given = set(wanted) | {key_field}
        try:
            obj.clean_fields(exclude=[f.name for f in type(obj)._meta.concrete_fields if f.name not in given])
        except ValidationError as exc:
            for column, messages in exc.message_dict.items():
                for message in messages:
                    self._problem(outcome, column, message)
        if is_new:
            self.plan.creates.setdefault(sheet, []).append(obj)
            outcome.status = "error" if outcome.problems else "new"
        elif changed:
            self._update(sheet, obj, changed)
            if not outcome.problems:
                outcome.status = "changed"

    def _update(self, sheet: str, obj, fields) -> None:
        _obj, known = self.plan.updates.setdefault(sheet, {}).setdefault(id(obj), (obj, set()))
        known.update(fields)
        # A row marked new, changed or unchanged only by its own columns: links come separately.

    def _mark_changed(self, outcome: RowOutcome) -> None:
        if outcome.status == "unchanged":
            outcome.status = "changed"

    def _duplicate(self, outcome: RowOutcome, column: str, seen: dict, key, label: str) -> bool:
        if key in seen:
            self._problem(outcome, column, _("%(what)s is also in row %(row)s.") % {"what": label, "row": seen[key]})
            return True
        seen[key] = outcome.row
        return False

    def _skills_of(self, outcome: RowOutcome, value) -> list[str] | None:
        names = _names(value)
        unknown = [name for name in names if name not in self.skills]
        if unknown:
            self._problem(
                outcome,
                "skills",
                _("Unknown skills: %(names)s. Add them on the skills sheet first.") % {"names": ", ".join(unknown)},
            )
            return None
        return names

    # The sheets, in the order they depend on each other.

    def run(self) -> Plan:
        self._load()
        self._plan_skills()
        self._plan_departments()
        self._plan_people()
        self._plan_memberships()
        self._plan_request_types()
        return self.plan

    def _load(self) -> None:
        self.skills = {skill.name: skill for skill in Skill.objects.all()}
        self.skill_names = {skill.pk: skill.name for skill in self.skills.values()}
        self.departments = {department.code: department for department in Department.objects.all()}
        usernames = {
            _text(row.values.get("username", ""))
            for name in ("people", "memberships")
            for row in self.sheets.get(name, Sheet(name, ())).rows
        }
        self.people = {person.username: person for person in User.objects.filter(username__in=usernames)}

    def _plan_skills(self) -> None:
        sheet = self.sheets.get("skills")
        if sheet is None:
            return
        seen: dict = {}
        for row in sheet.rows:
            name = _text(row.values["name"])
            outcome = self._outcome("skills", row, name)
            if self._duplicate(outcome, "name", seen, name, name):
                continue
            if LIST_SEPARATOR in name:
                self._problem(outcome, "name", _("A skill's name cannot hold “;”."))
            skill = self.skills.get(name) or Skill(name=name)
            self.skills[name] = skill
            self._settle(outcome, "skills", skill, self._wanted(outcome, row, ["name_en"]), key_field="name")

    def _plan_departments(self) -> None:
        sheet = self.sheets.get("departments")
        if sheet is None:
            return
        columns = [c for c in SHEETS["departments"] if c not in ("code", "parent")]
        seen: dict = {}
        parents: dict[str, tuple[RowOutcome, str]] = {}
        for row in sheet.rows:
            code = _text(row.values["code"])
            outcome = self._outcome("departments", row, code)
            if self._duplicate(outcome, "code", seen, code, code):
                continue
            department = self.departments.get(code) or Department(code=code)
            self.departments[code] = department
            self._settle(outcome, "departments", department, self._wanted(outcome, row, columns), key_field="code")
            if "parent" in row.values:
                parents[code] = (outcome, _text(row.values["parent"]))
        # Parents, once every department of the file is known.
        code_of = {department.pk: code for code, department in self.departments.items() if department.pk}
        final = {
            code: code_of.get(department.parent_id) if department.parent_id else ""
            for code, department in self.departments.items()
        }
        for code, (outcome, parent) in parents.items():
            if parent and parent not in self.departments:
                self._problem(outcome, "parent", _("No department has the code “%(code)s”.") % {"code": parent})
                continue
            if parent == code:
                self._problem(outcome, "parent", _("A department cannot be its own parent."))
                continue
            final[code] = parent
        for code, (outcome, parent) in parents.items():
            if outcome.status == "error":
                continue
            node, steps = final.get(code), 0
            while node and node != code and steps <= len(final):
                node, steps = final.get(node), steps + 1
            if node == code:
                self._problem(
                    outcome,
                    "parent",
                    _("%(parent)s is below %(code)s: the parents go round in a circle.")
                    % {"parent": parent, "code": code},
                )
                continue
            department = self.departments[code]
            current = code_of.get(department.parent_id, "") if department.parent_id else ""
            if (department.pk is None and parent) or (department.pk and current != parent):
                department.import_parent = parent
                if department.pk:
                    self._update("departments", department, ["parent"])
                    self._mark_changed(outcome)

    def _plan_people(self) -> None:
        sheet = self.sheets.get("people")
        if sheet is None:
            return
        columns = [c for c in SHEETS["people"] if c not in ("username", "skills")]
        stored_skills: dict[int, set[str]] = {}
        if "skills" in sheet.columns:
            links = User.skills.through.objects.filter(user__in=[p for p in self.people.values()])
            for user_id, skill_id in links.values_list("user_id", "skill_id"):
                stored_skills.setdefault(user_id, set()).add(self.skill_names[skill_id])
        seen: dict = {}
        for row in sheet.rows:
            username = _text(row.values["username"])
            outcome = self._outcome("people", row, username)
            if self._duplicate(outcome, "username", seen, username, username):
                continue
            person = self.people.get(username)
            if person is None:
                person = User(username=username)
                person.set_unusable_password()  # they sign in once an admin or the directory gives a password
                self.people[username] = person
            self._settle(outcome, "people", person, self._wanted(outcome, row, columns), key_field="username")
            if "skills" in row.values:
                names = self._skills_of(outcome, row.values["skills"])
                if names is None:
                    continue
                have = stored_skills.get(person.pk, set()) if person.pk else set()
                added, removed = set(names) - have, have - set(names)
                for name in sorted(added):
                    self.plan.links_added.setdefault("people.skills", []).append((person, name))
                for name in sorted(removed):
                    self.plan.links_removed.setdefault("people.skills", []).append((person, name))
                if person.pk and (added or removed):
                    self._mark_changed(outcome)

    def _plan_memberships(self) -> None:
        sheet = self.sheets.get("memberships")
        if sheet is None:
            return
        known_people = [p for p in self.people.values() if p.pk]
        stored = {(m.user_id, m.department_id): m for m in Membership.objects.filter(user__in=known_people)}
        primary_of = {m.user_id: m for m in stored.values() if m.is_primary}
        deputies = set(Department.deputies.through.objects.values_list("department_id", "user_id"))
        seen: dict = {}
        heads: dict = {}
        primaries: dict = {}
        new_heads: dict = {}  # code -> (department, its head from the file, or None when its head steps down)
        for row in sheet.rows:
            username, code = _text(row.values["username"]), _text(row.values["department"])
            role = _text(row.values["role"]).lower()
            outcome = self._outcome("memberships", row, f"{username} · {code}")
            if self._duplicate(outcome, "department", seen, (username, code), f"{username} · {code}"):
                continue
            person, department = self.people.get(username), self.departments.get(code)
            if person is None:
                self._problem(outcome, "username", _("No person has the login “%(name)s”.") % {"name": username})
            if department is None:
                self._problem(outcome, "department", _("No department has the code “%(code)s”.") % {"code": code})
            if role not in Role.ALL:
                self._problem(outcome, "role", _("The role is one of: %(roles)s.") % {"roles": ", ".join(Role.ALL)})
            if role == Role.HEAD:
                self._duplicate(outcome, "role", heads, code, _("The head of %(code)s") % {"code": code})
            wanted = self._wanted(outcome, row, ["is_primary", "title"])
            if wanted.get("is_primary"):
                self._duplicate(
                    outcome,
                    "is_primary",
                    primaries,
                    username,
                    _("A primary department of %(name)s") % {"name": username},
                )
            if outcome.problems:
                continue
            wanted["role"] = Membership.Role.MEMBER if role == Role.MEMBER else Membership.Role.MANAGER
            membership = stored.get((person.pk, department.pk)) if person.pk and department.pk else None
            if membership is None:
                membership = Membership(user=person, department=department)
            was_primary = membership.pk is not None and membership.is_primary
            self._settle(outcome, "memberships", membership, wanted, key_field="role")
            if outcome.problems:
                continue
            if was_primary and not membership.is_primary:
                self.plan.links_removed.setdefault("memberships.primary", []).append(membership)
            if membership.is_primary and person.pk:
                other = primary_of.get(person.pk)
                if other is not None and other is not membership and other.department_id != department.pk:
                    other.is_primary = False
                    self.plan.links_removed.setdefault("memberships.primary", []).append(other)
            # The department's head and deputies.
            is_head = department.pk is not None and person.pk is not None and department.head_id == person.pk
            if role == Role.HEAD and not is_head:
                new_heads[code] = (department, person)
                self._mark_changed(outcome)
            elif role != Role.HEAD and is_head:
                new_heads.setdefault(code, (department, None))
                self._mark_changed(outcome)
            is_deputy = (department.pk, person.pk) in deputies
            if role == Role.DEPUTY and not is_deputy:
                self.plan.links_added.setdefault("departments.deputies", []).append((department, person))
                self._mark_changed(outcome)
            elif role != Role.DEPUTY and is_deputy:
                self.plan.links_removed.setdefault("departments.deputies", []).append((department, person))
                self._mark_changed(outcome)
        for department, head in new_heads.values():
            department.import_head = head
            self._update("departments", department, ["head"])

    def _plan_request_types(self) -> None:
        sheet = self.sheets.get("request_types")
        if sheet is None:
            return
        columns = [c for c in SHEETS["request_types"] if c not in ("code", "department", "skills")]
        stored = {request_type.code: request_type for request_type in RequestType.objects.all()}
        stored_skills: dict[int, set[str]] = {}
        if "skills" in sheet.columns:
            links = RequestType.skills.through.objects.values_list("requesttype_id", "skill_id")
            for type_id, skill_id in links:
                stored_skills.setdefault(type_id, set()).add(self.skill_names[skill_id])
        code_of = {department.pk: code for code, department in self.departments.items() if department.pk}
        seen: dict = {}
        for row in sheet.rows:
            code, department_code = _text(row.values["code"]), _text(row.values["department"])
            outcome = self._outcome("request_types", row, code)
            if self._duplicate(outcome, "code", seen, code, code):
                continue
            request_type = stored.get(code) or RequestType(code=code)
            department = self.departments.get(department_code)
            if department is None:
                self._problem(
                    outcome, "department", _("No department has the code “%(code)s”.") % {"code": department_code}
                )
            elif request_type.pk is None or code_of.get(request_type.department_id) != department_code:
                request_type.import_department = department
                if request_type.pk:
                    self._update("request_types", request_type, ["department"])
                    self._mark_changed(outcome)
            self.type_outcomes[id(request_type)] = outcome
            wanted = self._wanted(outcome, row, columns)
            if request_type.pk and any(
                name in VERSIONED_COLUMNS and getattr(request_type, name) != value for name, value in wanted.items()
            ):
                if refusal := task_services.draft_in_the_way(request_type):
                    self._problem(outcome, "code", refusal)
                else:
                    self.plan.new_versions.append(code)
            self._settle(outcome, "request_types", request_type, wanted, key_field="code")
            if "skills" in row.values:
                names = self._skills_of(outcome, row.values["skills"])
                if names is None:
                    continue
                have = stored_skills.get(request_type.pk, set()) if request_type.pk else set()
                for name in sorted(set(names) - have):
                    self.plan.links_added.setdefault("request_types.skills", []).append((request_type, name))
                for name in sorted(have - set(names)):
                    self.plan.links_removed.setdefault("request_types.skills", []).append((request_type, name))
                if request_type.pk and set(names) != have:
                    self._mark_changed(outcome)


def plan_import(sheets: dict[str, Sheet]) -> Plan:
    """What importing these sheets would do, row by row (reads only)."""
    return _Planner(sheets).run()


def _bulk_update(model, entries: dict, batch_size: int = BATCH) -> None:
    by_fields: dict[tuple, list] = {}
    for obj, fields in entries.values():
        by_fields.setdefault(tuple(sorted(fields)), []).append(obj)
    for fields, objects in by_fields.items():
        model.objects.bulk_update(objects, list(fields), batch_size=batch_size)


def import_workbook(sheets: dict[str, Sheet], *, by: User | None = None, filename: str = "") -> Plan:
    """Check every row and save them all, in one transaction, or nothing (ImportRefused). The
    import is logged on the admin who ran it (`by`), with its counts by sheet."""
    try:
        with transaction.atomic():
            plan = _import(sheets, by=by, filename=filename)
    except IntegrityError:  # a row planned as new was created meanwhile: the whole import rolled back
        raise ImportCollided from None
    return plan


def _import(sheets: dict[str, Sheet], *, by: User | None, filename: str) -> Plan:
    planner = _Planner(sheets)
    plan = planner.run()
    if not plan.ok:
        raise ImportRefused(plan)
    _write(planner, plan)
    published = _publish_request_types(planner, plan, by=by, filename=filename)
    _record_history(plan, by, published=published)
    # Bulk writes pass by post_save: tell those that follow people (the search index).
    changed = {person.pk for person in plan.creates.get("people", [])}
    changed |= {person.pk for person, _fields in plan.updates.get("people", {}).values()}
    if changed:
        people_changed_in_bulk.send(sender=User, people=sorted(changed))
    if by is not None:
        log_action(by, actor=by, action=ImportAction.WORKBOOK_IMPORTED, comment=filename, data=plan.counts())
    return plan


def _publish_request_types(planner: _Planner, plan: Plan, *, by: User | None, filename: str) -> set[int]:
    """Publish a version of every request type whose guide the import changed (their guide
    columns were left out of the bulk update for this) and version 1 of every new type, recorded
    as `by`'s, with the file's name. Returns the changed types' ids: their publishing recorded
    their history. A type that cannot be published (a draft saved since the check) refuses the
    whole import, its row saying why."""
    if filename:
        comment = _("Imported from %(file)s") % {"file": filename}
    else:
        comment = _("Imported from the organisation workbook")
    task_services.request_types_publish_first(
        request_types=plan.creates.get("request_types", []), by=by, comment=comment
    )
    published = set()
    for request_type, fields in plan.updates.get("request_types", {}).values():
        guide = {name: getattr(request_type, name) for name in sorted(fields & VERSIONED_COLUMNS)}
        if not guide:
            continue
        try:
            task_services.request_type_publish_guide(request_type=request_type, by=by, guide=guide, comment=comment)
        except task_services.TaskError as exc:
            planner._problem(planner.type_outcomes[id(request_type)], "code", str(exc))
            raise ImportRefused(plan) from None
        published.add(request_type.pk)
    return published


def _record_history(plan: Plan, by: User | None, *, published: set[int] = frozenset()) -> None:
    """The configuration history of every row the import created or changed, as it now stands
    (bulk writes send no signals; core.bulk_history writes what a save would have). A request
    type whose new version was published has its history from the publishing's saves."""

    def created(sheet: str) -> set[int]:
        return {obj.pk for obj in plan.creates.get(sheet, [])}

    def changed(sheet: str, *links: str) -> set[int]:
        pks = {obj.pk for obj, _fields in plan.updates.get(sheet, {}).values()}
        for name in links:
            for entry in plan.links_added.get(name, []) + plan.links_removed.get(name, []):
                pks.add((entry[0] if isinstance(entry, tuple) else entry).pk)
        pks.discard(None)
        return pks

    record_bulk(Skill, created=created("skills"), changed=changed("skills"), by=by, reason="import")
    record_bulk(
        Department,
        created=created("departments"),
        changed=changed("departments", "departments.deputies"),
        by=by,
        reason="import",
    )
    record_bulk(User, created=created("people"), changed=changed("people", "people.skills"), by=by, reason="import")
    record_bulk(
        Membership,
        created=created("memberships"),
        changed=changed("memberships", "memberships.primary"),
        by=by,
        reason="import",
    )
    record_bulk(
        RequestType,
        created=created("request_types"),
        changed=changed("request_types", "request_types.skills") - published,
        by=by,
        reason="import",
    )


def _write(planner: _Planner, plan: Plan) -> None:
    creates, updates = plan.creates, plan.updates
    skills = planner.skills
    Skill.objects.bulk_create(creates.get("skills", []), batch_size=BATCH)
    _bulk_update(Skill, updates.get("skills", {}))

    # Departments first without their parents and heads: those may be departments and people of
    # the same file, which get their ids here.
    new_departments = creates.get("departments", [])
    Department.objects.bulk_create(new_departments, batch_size=BATCH)
    for department in new_departments:
        if getattr(department, "import_parent", ""):
            planner._update("departments", department, ["parent"])

    User.objects.bulk_create(creates.get("people", []), batch_size=BATCH)
    _bulk_update(User, updates.get("people", {}))
    through = User.skills.through
    added = plan.links_added.get("people.skills", [])
    through.objects.bulk_create(
        [through(user_id=person.pk, skill_id=skills[name].pk) for person, name in added], batch_size=BATCH
    )
    removed = plan.links_removed.get("people.skills", [])
    if removed:
        pairs = {(person.pk, skills[name].pk) for person, name in removed}
        people = {pk for pk, _skill in pairs}
        stale = [
            pk
            for pk, user_id, skill_id in through.objects.filter(user_id__in=people).values_list(
                "pk", "user_id", "skill_id"
            )
            if (user_id, skill_id) in pairs
        ]
        through.objects.filter(pk__in=stale).delete()

    # Memberships: first the ones that stop being primary, so one person never has two at once.
    losing = {id(m): (m, {"is_primary"}) for m in plan.links_removed.get("memberships.primary", []) if m.pk}
    _bulk_update(Membership, losing)
    new_memberships = creates.get("memberships", [])
    for membership in new_memberships:
        membership.user_id, membership.department_id = membership.user.pk, membership.department.pk
    Membership.objects.bulk_create(new_memberships, batch_size=BATCH)
    _bulk_update(Membership, updates.get("memberships", {}))

    # The departments' parents and heads, and the rest of their changes, in one pass.
    for department, fields in updates.get("departments", {}).values():
        if "parent" in fields:
            parent = getattr(department, "import_parent", "")
            department.parent_id = planner.departments[parent].pk if parent else None
        if "head" in fields:
            head = department.import_head
            department.head_id = head.pk if head else None
    _bulk_update(Department, updates.get("departments", {}))
    through = Department.deputies.through
    through.objects.bulk_create(
        [
            through(department_id=department.pk, user_id=person.pk)
            for department, person in plan.links_added.get("departments.deputies", [])
        ],
        batch_size=BATCH,
    )
    removed = plan.links_removed.get("departments.deputies", [])
    if removed:
        pairs = {(department.pk, person.pk) for department, person in removed}
        stale = [
            pk
            for pk, department_id, user_id in through.objects.filter(
                department_id__in={d for d, _u in pairs}
            ).values_list("pk", "department_id", "user_id")
            if (department_id, user_id) in pairs
        ]
        through.objects.filter(pk__in=stale).delete()

    new_types = creates.get("request_types", [])
    for request_type in new_types + [obj for obj, _f in updates.get("request_types", {}).values()]:
        if hasattr(request_type, "import_department"):
            request_type.department_id = request_type.import_department.pk
    RequestType.objects.bulk_create(new_types, batch_size=BATCH)
    # The guide columns go into a new version (_publish_request_types), not straight onto the type.
    _bulk_update(
        RequestType,
        {
            key: (request_type, fields - VERSIONED_COLUMNS)
            for key, (request_type, fields) in updates.get("request_types", {}).items()
            if fields - VERSIONED_COLUMNS
        },
    )
    through = RequestType.skills.through
    through.objects.bulk_create(
        [
            through(requesttype_id=request_type.pk, skill_id=skills[name].pk)
            for request_type, name in plan.links_added.get("request_types.skills", [])
        ],
        batch_size=BATCH,
    )
    removed = plan.links_removed.get("request_types.skills", [])
    if removed:
        pairs = {(request_type.pk, skills[name].pk) for request_type, name in removed}
        stale = [
            pk
            for pk, type_id, skill_id in through.objects.filter(requesttype_id__in={t for t, _s in pairs}).values_list(
                "pk", "requesttype_id", "skill_id"
            )
            if (type_id, skill_id) in pairs
        ]
        through.objects.filter(pk__in=stale).delete()
