"""Where a webhook may go: http(s) only, and never to loopback, private, link-local, multicast or
reserved addresses unless a superuser allowed it on the endpoint (no SSRF through webhooks).

The check resolves the host name. It runs when an endpoint is saved and again before each send,
and the send connects to the very address the check approved, so a DNS answer that changes
between the check and the connection (rebinding) cannot slip a private address in."""

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils.translation import gettext as _


class UnsafeAddress(ValueError):
    """The URL may not be used; the message says why, translated."""


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str  # the IP address to connect to


def _is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not (
        ip.is_multicast or ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved
    )


def resolve(url: str, *, allow_private: bool) -> Target:
    """The address to send `url` to, or UnsafeAddress."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UnsafeAddress(_("This is not a valid URL.")) from exc
    if parts.scheme not in ("http", "https"):
        raise UnsafeAddress(_("Only http and https addresses can receive webhooks."))
    host = parts.hostname
    if not host:
        raise UnsafeAddress(_("The URL has no host."))
    if parts.username or parts.password:
        raise UnsafeAddress(_("The URL must not carry a user name or password."))
    port = port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise UnsafeAddress(_("The host %(host)s cannot be found.") % {"host": host}) from exc
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not addresses:
        raise UnsafeAddress(_("The host %(host)s cannot be found.") % {"host": host})
    if not allow_private:
        refused = [ip for ip in addresses if not _is_public(ip)]
        if refused:
            raise UnsafeAddress(
                _(
                    "%(host)s resolves to %(address)s, a loopback, private or reserved address; webhooks cannot go there."
                )
                % {"host": host, "address": refused[0]}
            )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Target(parts.scheme, host, port, path, str(addresses[0]))


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection to an address already checked, whatever the name resolves to now."""

    def __init__(self, target: Target, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self.pinned_address = target.address

    def connect(self):
        self.sock = socket.create_connection((self.pinned_address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """The same for HTTPS: the certificate is still checked against the host name."""

    def __init__(self, target: Target, timeout: float):
        self.tls = ssl.create_default_context()
        super().__init__(target.host, target.port, timeout=timeout, context=self.tls)
        self.pinned_address = target.address

    def connect(self):
        sock = socket.create_connection((self.pinned_address, self.port), self.timeout)
        self.sock = self.tls.wrap_socket(sock, server_hostname=self.host)


def post(target: Target, body: bytes, headers: dict, *, timeout: float, excerpt: int = 300) -> tuple[int, str]:
    """POST `body` to the checked target; redirects are not followed (a 3xx is an answer like any
    other). Returns the status code and the start of the response body."""
    connection_class = _PinnedHTTPSConnection if target.scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(target, timeout)
    try:
        connection.request("POST", target.path, body=body, headers=headers)
        response = connection.getresponse()
        start = response.read(excerpt)
        return response.status, start.decode("utf-8", "replace")
    finally:
        connection.close()
