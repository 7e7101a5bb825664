"""A real OpenLDAP slapd (Debian's package, installed by `make ldap`) on a free port with a
throw-away configuration and database: the test organisation is loaded with slapadd before the
server starts, and changed afterwards through python-ldap as the directory's administrator."""

import base64
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

SLAPD = "/usr/sbin/slapd"
SLAPADD = "/usr/sbin/slapadd"
SUFFIX = "dc=example,dc=org"
ADMIN_DN = f"cn=admin,{SUFFIX}"
ADMIN_PASSWORD = "directory-admin-secret"
PEOPLE = f"ou=people,{SUFFIX}"
DEPARTMENTS = f"ou=departments,{SUFFIX}"
MANAGERS = f"cn=managers,ou=groups,{SUFFIX}"
PASSWORD = "Directory-pass-2026"

CONFIG = """\
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {folder}/slapd.pid
database mdb
maxsize 10485760
suffix "{suffix}"
rootdn "{admin}"
rootpw {password}
directory {folder}/data
"""


def available() -> bool:
    return Path(SLAPD).exists() and Path(SLAPADD).exists()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _line(name: str, value: str) -> str:
    if value.isascii():
        return f"{name}: {value}"
    return f"{name}:: {base64.b64encode(value.encode()).decode()}"


def person(uid: str, *, cn: str, sn: str, given: str, mail: str, employee_no: str, title: str = "") -> list[str]:
    lines = [
        f"dn: uid={uid},{PEOPLE}",
        "objectClass: inetOrgPerson",
        f"uid: {uid}",
        _line("cn", cn),
        _line("displayName", cn),
        _line("sn", sn),
        _line("givenName", given),
        f"mail: {mail}",
        f"employeeNumber: {employee_no}",
        f"userPassword: {PASSWORD}",
    ]
    if title:
        lines.append(_line("title", title))
    return lines


def group(dn: str, *, cn: str, description: str, members: list[str]) -> list[str]:
    return [
        f"dn: {dn}",
        "objectClass: groupOfNames",
        f"cn: {cn}",
        _line("description", description),
        *[f"member: uid={m},{PEOPLE}" for m in members],
    ]


def organisation() -> str:
    """销售部 (sales): 王芳 (manager), 李雷; 研发部 (rnd): 赵敏; 韩梅 is in no department yet."""
    entries = [
        [f"dn: {SUFFIX}", "objectClass: dcObject", "objectClass: organization", "dc: example", "o: Example"],
        [f"dn: {PEOPLE}", "objectClass: organizationalUnit", "ou: people"],
        [f"dn: {DEPARTMENTS}", "objectClass: organizationalUnit", "ou: departments"],
        [f"dn: ou=groups,{SUFFIX}", "objectClass: organizationalUnit", "ou: groups"],
        person(
            "wang.fang",
            cn="王芳",
            sn="王",
            given="芳",
            mail="wang.fang@example.org",
            employee_no="E1001",
            title="销售经理",
        ),
        person(
            "li.lei", cn="李雷", sn="李", given="雷", mail="li.lei@example.org", employee_no="E1002", title="销售代表"
        ),
        person(
            "zhao.min", cn="赵敏", sn="赵", given="敏", mail="zhao.min@example.org", employee_no="E1003", title="工程师"
        ),
        person("han.mei", cn="韩梅", sn="韩", given="梅", mail="han.mei@example.org", employee_no="E1004"),
        group(f"cn=sales,{DEPARTMENTS}", cn="sales", description="销售部", members=["wang.fang", "li.lei"]),
        group(f"cn=rnd,{DEPARTMENTS}", cn="rnd", description="研发部", members=["zhao.min"]),
        group(MANAGERS, cn="managers", description="部门负责人", members=["wang.fang"]),
    ]
    return "\n\n".join("\n".join(entry) for entry in entries) + "\n"


class Slapd:
    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="collab-slapd-"))
        self.port = free_port()
        self.uri = f"ldap://127.0.0.1:{self.port}"
        self.process = None

    def start(self, ldif: str, *, tls: bool = False, database: str = "") -> "Slapd":
        """With `tls`, the server has a self-signed certificate (self.certificate, which clients
        trust as its CA) and refuses every operation that is not protected by TLS (StartTLS).
        `database`: more directives for the database (limits, for one)."""
        (self.folder / "data").mkdir()
        config = self.folder / "slapd.conf"
        text = CONFIG.format(folder=self.folder, suffix=SUFFIX, admin=ADMIN_DN, password=ADMIN_PASSWORD) + database
        if tls:
            self.certificate = self.make_certificate("server")
            key = self.folder / "server.key"
            # Global directives: before the database section.
            head, database = text.split("database mdb", 1)
            text = (
                head
                + f"TLSCertificateFile {self.certificate}\nTLSCertificateKeyFile {key}\nsecurity tls=1\n"
                + "database mdb"
                + database
            )
        config.write_text(text)
        (self.folder / "org.ldif").write_text(ldif)
        subprocess.run(
            [SLAPADD, "-f", str(config), "-l", str(self.folder / "org.ldif")], check=True, capture_output=True
        )
        self.log = open(self.folder / "slapd.log", "wb")  # noqa: SIM115 - closed in stop()
        # -d 0: stay in the foreground (the fixture owns the process), logging nothing.
        self.process = subprocess.Popen(
            [SLAPD, "-f", str(config), "-h", self.uri + "/", "-d", "0"], stdout=self.log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"slapd exited: {(self.folder / 'slapd.log').read_text()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("slapd did not start listening in 15 s")

    def make_certificate(self, name: str) -> Path:
        """A self-signed certificate for 127.0.0.1 (and its key beside it)."""
        certificate, key = self.folder / f"{name}.crt", self.folder / f"{name}.key"
        subprocess.run(
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                "-keyout", str(key), "-out", str(certificate),
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip
        return certificate

    def admin(self):
        import ldap

        connection = ldap.initialize(self.uri)
        connection.simple_bind_s(ADMIN_DN, ADMIN_PASSWORD)
        return connection

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)
