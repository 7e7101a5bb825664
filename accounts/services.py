"""Use cases of sign-in and the directory: finding the person an outside identity belongs to,
creating them on first sign-in, placing them in their department with their role, and keeping the
organisation in step with LDAP (`sync_directory`)."""

import hashlib
import logging
import re

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from accounts.directory import Directory, DirectoryError, DirectoryPerson, norm_dn
from accounts.models import DirectorySync, ExternalIdentity
from core.actions import log_action
from departments.models import Department, Membership, User

logger = logging.getLogger(__name__)

PERSON_CREATED = "person.created_from_directory"
PERSON_DEACTIVATED = "person.deactivated_by_directory"
PERSON_MOVED = "person.moved_by_directory"
ACTIONS = [
    (PERSON_CREATED, _("created at first sign-in or by the directory")),
    (PERSON_DEACTIVATED, _("deactivated: gone from the directory")),
    (PERSON_MOVED, _("moved by the directory")),
]

Source = ExternalIdentity.Source


# --- finding and creating people ---------------------------------------------------------------


def find_person(
    *, source: str, subject: str, username: str = "", employee_no: str = "", email: str = ""
) -> User | None:
    """The person an outside identity belongs to: by the stored identifier first, then by login
    (LDAP), employee number and e-mail, each only when it names exactly one person."""
    identity = ExternalIdentity.objects.select_related("user").filter(source=source, subject=subject).first()
    if identity is not None:
        return identity.user
    linked = ExternalIdentity.objects.filter(source=source).values("user_id")
    for lookup, value in (("username__iexact", username), ("employee_no", employee_no), ("email__iexact", email)):
        if not value:
            continue
        # A person already linked to another identifier of this source is not taken over.
        found = list(User.objects.filter(**{lookup: value}).exclude(pk__in=linked)[:2])
        if len(found) == 1:
            return found[0]
    return None


def free_username(wanted: str) -> str:
    """`wanted`, made a valid login, with a number added when someone already has it."""
    base = re.sub(r"[^\w.@+-]", "", wanted)[:140] or "user"
    name, n = base, 1
    while User.objects.filter(username__iexact=name).exists():
        n += 1
        name = f"{base}{n}"
    return name


def link_identity(user: User, *, source: str, subject: str, dn: str = "") -> None:
    ExternalIdentity.objects.update_or_create(
        user=user,
        source=source,
        defaults={"subject": subject, "distinguished_name": dn[:500], "last_seen_at": timezone.now()},
    )


def update_person_fields(user: User, values: dict[str, str]) -> list[str]:
    """Set the non-empty values that differ; return the names of the fields changed (unsaved)."""
    changed = []
    limits = {f.name: f.max_length for f in User._meta.concrete_fields if f.name in values}
    for name, value in values.items():
        value = (value or "").strip()[: limits.get(name) or None]
        if value and getattr(user, name) != value:
            setattr(user, name, value)
            changed.append(name)
    return changed


# --- placing people ----------------------------------------------------------------------------


def place_person(
    user: User,
    departments: list[Department],
    *,
    manager: bool | None,
    title: str = "",
    leave: set[int] = frozenset(),
) -> list[str]:
    """Make `departments` the person's (the first one primary), with the manager role in it when
    `manager` (None: leave the role as it is), and take them out of the departments in `leave` that
    are not among them. Returns what changed, in words for the sync's log."""
    changes: list[str] = []
    memberships = {m.department_id: m for m in Membership.objects.filter(user=user).select_related("department")}
    wanted = {d.pk for d in departments}
    for department_id in (leave - wanted) & memberships.keys():
        gone = memberships.pop(department_id)
        gone.delete()
        changes.append(f"left {gone.department.code}")
    if not departments:
        return changes
    primary = departments[0]
    current = next((m for m in memberships.values() if m.is_primary), None)
    if current is not None and current.department_id != primary.pk and current.department_id in wanted:
        primary = current.department  # several departments: the one they had stays primary
    if current is not None and current.department_id != primary.pk:
        current.is_primary = False
        current.save(update_fields=["is_primary"])
    heads = set(primary.deputies.values_list("pk", flat=True)) | {primary.head_id}
    for department in departments:
        membership = memberships.get(department.pk)
        is_primary = department.pk == primary.pk
        if membership is None:
            membership = Membership(user=user, department=department, role=Membership.Role.MEMBER)
            changes.append(f"joined {department.code}")
        fields = []
        if membership.is_primary != is_primary:
            membership.is_primary = is_primary
            fields.append("is_primary")
        if is_primary and manager is not None:
            # The head and deputies stay managers whatever the directory says (the admin named them).
            role = Membership.Role.MANAGER if manager or user.pk in heads else Membership.Role.MEMBER
            if membership.role != role:
                membership.role = role
                fields.append("role")
                changes.append(f"{role} of {department.code}")
        if is_primary and title and membership.title != title[:60]:
            membership.title = title[:60]
            fields.append("title")
        if membership.pk is None:
            membership.save()
        elif fields:
            membership.save(update_fields=fields)
    return changes


def department_for_claim(value) -> Department | None:
    """The active department a claim names, by code, Chinese name or English name."""
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    value = str(value or "").strip()
    if not value:
        return None
    return (
        Department.objects.filter(is_active=True)
        .filter(Q(code__iexact=value) | Q(name=value) | Q(name_en__iexact=value))
        .order_by("pk")
        .first()
    )


def is_manager_role(value) -> bool:
    values = value if isinstance(value, list | tuple) else [value]
    wanted = {r.lower() for r in settings.OIDC_MANAGER_ROLES}
    return any(str(v).strip().lower() in wanted for v in values)


# --- OpenID Connect ----------------------------------------------------------------------------


def oidc_sign_in(claims: dict) -> User | None:
    """The person the provider's claims are about, found or (when OIDC_CREATE_USERS) created, and
    brought up to date: name, e-mail, employee number, and department and role when sent."""
    subject = str(claims.get("sub") or "")
    if not subject:
        return None
    names = settings.OIDC_CLAIMS
    employee_no = str(claims.get(names["employee_no"]) or "")
    email = str(claims.get("email") or "")
    with transaction.atomic():
        user = find_person(source=Source.OIDC, subject=subject, employee_no=employee_no, email=email)
        created = user is None
        if created:
            if not settings.OIDC_CREATE_USER:
                logger.info("OpenID sign-in refused: nobody matches sub %s and OIDC_CREATE_USERS is off", subject)
                return None
            wanted = claims.get("preferred_username") or email.split("@")[0] or f"oidc-{subject}"
            user = User(username=free_username(str(wanted)))
            user.set_unusable_password()
        update_person_fields(
            user,
            {
                "email": email,
                "first_name": str(claims.get("given_name") or ""),
                "last_name": str(claims.get("family_name") or ""),
                "display_name": str(claims.get("name") or ""),
                "employee_no": employee_no,
                "job_title": str(claims.get(names["title"]) or ""),
            },
        )
        user.save()
        link_identity(user, source=Source.OIDC, subject=subject)
        if created:
            log_action(user, actor=None, action=PERSON_CREATED, data={"source": Source.OIDC})
        department = department_for_claim(claims.get(names["department"])) if names["department"] in claims else None
        if department is not None:
            current = user.primary_department
            place_person(
                user,
                [department],
                manager=is_manager_role(claims[names["role"]]) if names["role"] in claims else None,
                title=str(claims.get(names["title"]) or ""),
                leave={current.pk} if current is not None else set(),
            )
        elif names["role"] in claims and user.primary_department is not None:
            place_person(user, [user.primary_department], manager=is_manager_role(claims[names["role"]]))
    return user


# --- LDAP --------------------------------------------------------------------------------------


def department_code(directory_code: str) -> str:
    """The portal's code for a department group (an ASCII slug; a Chinese cn gets a stable hash)."""
    code = slugify(directory_code)[:30]
    if code:
        return code
    return "dir-" + hashlib.sha256(directory_code.encode()).hexdigest()[:10]


def _directory_fields(person: DirectoryPerson) -> dict[str, str]:
    return {
        "email": person.email,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "display_name": person.display_name,
        "employee_no": person.employee_no,
        "job_title": person.title,
    }


def ldap_sign_in(user: User, dn: str, *, created: bool = False) -> None:
    """After LDAP checked a person's password: link them to their entry and place them in their
    department groups with their role, as the nightly sync would."""
    with Directory() as directory:
        person = directory.person(dn)
        groups = directory.departments()
        managers = directory.manager_dns()
    if person is None:
        return
    mine = [group for group in groups if norm_dn(dn) in group.member_dns]
    with transaction.atomic():
        update_person_fields(user, _directory_fields(person))
        user.save()
        link_identity(user, source=Source.LDAP, subject=person.uuid, dn=person.dn)
        if created:
            log_action(user, actor=None, action=PERSON_CREATED, data={"source": Source.LDAP})
        place_person(
            user,
            [_department_for_group(group)[0] for group in mine],
            manager=(norm_dn(dn) in managers) if settings.LDAP_MANAGER_GROUP else None,
            title=person.title,
            leave=set(
                Department.objects.filter(code__in=[department_code(g.code) for g in groups]).values_list(
                    "pk", flat=True
                )
            ),
        )


def _department_for_group(group) -> tuple[Department | None, str]:
    """The department of a directory group, created or renamed to match. Returns it and what was
    done ("created", "renamed" or "")."""
    code = department_code(group.code)
    department = Department.objects.filter(code=code).first()
    if department is None:
        department = Department.objects.create(code=code, name=group.name[:60], name_en=group.name_en[:80])
        return department, "created"
    fields = []
    if department.name != group.name[:60]:
        department.name = group.name[:60]
        fields.append("name")
    if group.name_en and department.name_en != group.name_en[:80]:
        department.name_en = group.name_en[:80]
        fields.append("name_en")
    if fields:
        department.save(update_fields=fields)
        return department, "renamed"
    return department, ""


def sync_directory(*, dry_run: bool = False) -> DirectorySync:
    """Bring people and departments in step with LDAP: new people created, moved people moved,
    department groups created or renamed, people gone deactivated (never deleted; neither is a
    department). A dry run does all of it in a transaction it rolls back, so it reports exactly
    what a real run would change. Every run is logged (DirectorySync) with its counts."""
    run = DirectorySync.objects.create(dry_run=dry_run)
    try:
        with Directory() as directory:
            people = directory.people()
            groups = directory.departments()
            managers = directory.manager_dns()
        if not people:
            raise DirectoryError("The directory lists nobody under LDAP_USER_BASE: nobody is deactivated on that word.")
        with transaction.atomic():
            lines = _apply(run, people, groups, managers)
            if dry_run:
                transaction.set_rollback(True)
    except DirectoryError as exc:
        run.status = DirectorySync.Status.FAILED
        run.error = str(exc)
        run.finished_at = timezone.now()
        run.save()
        logger.error("Directory sync failed: %s", exc)
        return run
    run.changes = "\n".join(lines)
    run.status = DirectorySync.Status.DONE
    run.finished_at = timezone.now()
    run.save()
    return run


def _apply(run: DirectorySync, people: list[DirectoryPerson], groups, managers: set[str]) -> list[str]:
    lines: list[str] = []
    departments_of: dict[str, list[Department]] = {}
    directory_ids = set()
    for group in groups:
        department, done = _department_for_group(group)
        directory_ids.add(department.pk)
        if done == "created":
            run.departments_created += 1
            lines.append(f"department {department.code} created: {department.name}")
        elif done == "renamed":
            run.departments_renamed += 1
            lines.append(f"department {department.code} renamed: {department.name}")
        for member in group.member_dns:
            departments_of.setdefault(member, []).append(department)

    run.people_seen = len(people)
    seen_subjects = set()
    for person in people:
        seen_subjects.add(person.uuid)
        user = find_person(
            source=Source.LDAP,
            subject=person.uuid,
            username=person.username,
            employee_no=person.employee_no,
            email=person.email,
        )
        created = user is None
        if created:
            user = User(username=free_username(person.username))
            user.set_unusable_password()
        changed = update_person_fields(user, _directory_fields(person))
        if created or changed:
            user.save()
        link_identity(user, source=Source.LDAP, subject=person.uuid, dn=person.dn)
        moved = place_person(
            user,
            departments_of.get(norm_dn(person.dn), []),
            manager=(norm_dn(person.dn) in managers) if settings.LDAP_MANAGER_GROUP else None,
            title=person.title,
            leave=directory_ids,
        )
        if created:
            run.people_created += 1
            log_action(user, actor=None, action=PERSON_CREATED, data={"source": Source.LDAP})
            lines.append(f"person {user.username} created ({', '.join(moved) or 'no department'})")
        elif changed or moved:
            run.people_updated += 1
            if moved:
                log_action(user, actor=None, action=PERSON_MOVED, comment="; ".join(moved))
            lines.append(f"person {user.username} updated: {', '.join(changed + moved)}")

    gone = (
        ExternalIdentity.objects.filter(source=Source.LDAP, user__is_active=True)
        .exclude(subject__in=seen_subjects)
        .select_related("user")
    )
    for identity in gone:
        user = identity.user
        user.is_active = False
        user.save(update_fields=["is_active"])
        log_action(user, actor=None, action=PERSON_DEACTIVATED)
        run.people_deactivated += 1
        lines.append(f"person {user.username} deactivated: gone from the directory")
    return lines
