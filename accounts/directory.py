"""Reading the organisation's LDAP / Active Directory (python-ldap), for the nightly sync and for
placing a person who signs in. Configured by the LDAP_* settings (docs/operations.md).

A department is a group under LDAP_DEPARTMENT_BASE: its code is the group's `cn` (or
LDAP_ATTR_DEPARTMENT_CODE), its name the group's `description`, its people the group's `member`
DNs. A person in the LDAP_MANAGER_GROUP manages their department."""

import uuid
from dataclasses import dataclass, field

import ldap
from django.conf import settings
from ldap.controls import SimplePagedResultsControl


class DirectoryError(Exception):
    """The directory cannot be read (down, refused the bind, misconfigured): nothing is changed."""


@dataclass(frozen=True)
class DirectoryPerson:
    dn: str
    uuid: str
    username: str
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    display_name: str = ""
    employee_no: str = ""
    title: str = ""


@dataclass
class DirectoryDepartment:
    dn: str
    code: str
    name: str
    name_en: str = ""
    member_dns: set[str] = field(default_factory=set)


def norm_dn(dn: str) -> str:
    """DNs compare without case and spaces around separators (`member` values are written by hand)."""
    return ",".join(part.strip() for part in ldap.dn.explode_dn(dn.lower())) if dn else ""


def text_of(attrs: dict, name: str) -> str:
    if not name:
        return ""
    values = attrs.get(name) or []
    if not values:
        return ""
    value = values[0]
    if isinstance(value, str):  # django-auth-ldap's attributes come decoded
        return value.strip()
    if name.lower() == "objectguid" and len(value) == 16:  # Active Directory's binary GUID
        return str(uuid.UUID(bytes_le=value))
    return value.decode("utf-8", "replace").strip()


class Directory:
    """One bound connection to the directory; use it as a context manager."""

    def __init__(self):
        if not settings.LDAP_ENABLED:
            raise DirectoryError("LDAP is not configured (LDAP_SERVER_URI, LDAP_USER_BASE).")
        self.attrs = settings.LDAP_ATTRS
        self.connection = None

    def __enter__(self) -> "Directory":
        try:
            connection = ldap.initialize(settings.LDAP_SERVER_URI, bytes_mode=False)
            connection.set_option(ldap.OPT_REFERRALS, 0)
            connection.set_option(ldap.OPT_NETWORK_TIMEOUT, settings.LDAP_TIMEOUT_SECONDS)
            connection.set_option(ldap.OPT_TIMEOUT, settings.LDAP_TIMEOUT_SECONDS)
            if settings.LDAP_CA_CERT_FILE:
                connection.set_option(ldap.OPT_X_TLS_CACERTFILE, settings.LDAP_CA_CERT_FILE)
                connection.set_option(ldap.OPT_X_TLS_NEWCTX, 0)
            if settings.LDAP_START_TLS:
                connection.start_tls_s()
            connection.simple_bind_s(settings.LDAP_BIND_DN, settings.LDAP_BIND_PASSWORD)
        except ldap.LDAPError as exc:
            raise DirectoryError(
                f"The directory at {settings.LDAP_SERVER_URI} cannot be read: {_describe(exc)}"
            ) from exc
        self.connection = connection
        return self

    def __exit__(self, *exc_info) -> None:
        if self.connection is not None:
            self.connection.unbind_s()

    def _search(self, base: str, filterstr: str, attrlist: list[str]) -> list[tuple[str, dict]]:
        """Every entry under `base` that matches, read a page at a time (the Simple Paged Results
        control, RFC 2696; a server that does not know it answers the whole search at once)."""
        attrs = [a for a in attrlist if a]
        control = SimplePagedResultsControl(criticality=False, size=settings.LDAP_PAGE_SIZE, cookie="")
        found: list[tuple[str, dict]] = []
        try:
            while True:
                msgid = self.connection.search_ext(base, ldap.SCOPE_SUBTREE, filterstr, attrs, serverctrls=[control])
                _type, page, _msgid, answered = self.connection.result3(msgid)
                found += page
                cookies = [c.cookie for c in answered if c.controlType == SimplePagedResultsControl.controlType]
                if not cookies or not cookies[0]:
                    break
                control.cookie = cookies[0]
        except ldap.NO_SUCH_OBJECT:
            raise DirectoryError(f"{base} does not exist in the directory.") from None
        except ldap.LDAPError as exc:
            raise DirectoryError(f"Searching {base} failed: {_describe(exc)}") from exc
        return [(dn, attrs) for dn, attrs in found if dn]  # referrals come back without a DN

    def _person(self, dn: str, attrs: dict) -> DirectoryPerson | None:
        a = self.attrs
        username = text_of(attrs, a["username"])
        subject = text_of(attrs, a["uuid"]) or norm_dn(dn)
        if not username:
            return None
        return DirectoryPerson(
            dn=dn,
            uuid=subject,
            username=username,
            email=text_of(attrs, a["email"]),
            first_name=text_of(attrs, a["first_name"]),
            last_name=text_of(attrs, a["last_name"]),
            display_name=text_of(attrs, a["display_name"]),
            employee_no=text_of(attrs, a["employee_no"]),
            title=text_of(attrs, a["title"]),
        )

    def _person_attrs(self) -> list[str]:
        a = self.attrs
        return [
            a[k]
            for k in ("username", "uuid", "email", "first_name", "last_name", "display_name", "employee_no", "title")
        ]

    def people(self) -> list[DirectoryPerson]:
        found = self._search(settings.LDAP_USER_BASE, settings.LDAP_PEOPLE_FILTER, self._person_attrs())
        people = (self._person(dn, attrs) for dn, attrs in found)
        return [p for p in people if p is not None]

    def person(self, dn: str) -> DirectoryPerson | None:
        try:
            found = self.connection.search_s(dn, ldap.SCOPE_BASE, "(objectClass=*)", self._person_attrs())
        except ldap.NO_SUCH_OBJECT:
            return None
        except ldap.LDAPError as exc:
            raise DirectoryError(f"Reading {dn} failed: {_describe(exc)}") from exc
        return self._person(*found[0]) if found else None

    def departments(self) -> list[DirectoryDepartment]:
        """The department groups, by code."""
        a = self.attrs
        found = self._search(
            settings.LDAP_DEPARTMENT_BASE,
            settings.LDAP_DEPARTMENT_FILTER,
            [a["department_code"], a["department_name"], a["department_name_en"], a["member"]],
        )
        departments = []
        for dn, attrs in found:
            code = text_of(attrs, a["department_code"])
            if not code:
                continue
            departments.append(
                DirectoryDepartment(
                    dn=dn,
                    code=code,
                    name=text_of(attrs, a["department_name"]) or code,
                    name_en=text_of(attrs, a["department_name_en"]),
                    member_dns={norm_dn(m.decode("utf-8", "replace")) for m in attrs.get(a["member"], [])},
                )
            )
        return sorted(departments, key=lambda d: d.code)

    def manager_dns(self) -> set[str]:
        """The DNs of the people in LDAP_MANAGER_GROUP (none when it is not set)."""
        group = settings.LDAP_MANAGER_GROUP
        if not group:
            return set()
        member = self.attrs["member"]
        try:
            found = self.connection.search_s(group, ldap.SCOPE_BASE, "(objectClass=*)", [member])
        except ldap.NO_SUCH_OBJECT:
            raise DirectoryError(f"LDAP_MANAGER_GROUP {group} does not exist in the directory.") from None
        except ldap.LDAPError as exc:
            raise DirectoryError(f"Reading {group} failed: {_describe(exc)}") from exc
        attrs = found[0][1] if found else {}
        return {norm_dn(m.decode("utf-8", "replace")) for m in attrs.get(member, [])}


def _describe(exc: ldap.LDAPError) -> str:
    info = exc.args[0] if exc.args and isinstance(exc.args[0], dict) else {}
    return info.get("desc") or str(exc)
