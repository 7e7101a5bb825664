"""No SSRF through webhooks: only http(s), and no loopback, private, link-local, multicast or
reserved address, at save and again at send time, unless a superuser allowed it."""

import socket

import pytest

from tests.conftest import login
from webhooks import addresses, services
from webhooks import delivery as outbox
from webhooks.models import Delivery, Endpoint, Event

PUBLIC = "93.184.216.34"  # a literal public address: no DNS needed to check it


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/hook",
        "http://127.1.2.3:8080/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://172.16.0.1/hook",
        "http://192.168.1.1/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/hook",
        "http://224.0.0.1/hook",
        "http://240.0.0.1/hook",
        "http://0.0.0.0/hook",
        "http://[::1]/hook",
        "http://[fe80::1]/hook",
        "http://[fc00::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
    ],
)
def test_private_and_reserved_addresses_are_refused(url):
    with pytest.raises(addresses.UnsafeAddress):
        addresses.resolve(url, allow_private=False)


@pytest.mark.parametrize(
    "url", ["ftp://93.184.216.34/x", "file:///etc/passwd", "gopher://93.184.216.34/", "http://user:pw@93.184.216.34/"]
)
def test_only_plain_http_and_https(url):
    with pytest.raises(addresses.UnsafeAddress):
        addresses.resolve(url, allow_private=True)


def test_public_addresses_and_allowed_private_ones_pass():
    target = addresses.resolve(f"https://{PUBLIC}/hooks?x=1", allow_private=False)
    assert (target.scheme, target.port, target.path, target.address) == ("https", 443, "/hooks?x=1", PUBLIC)
    assert addresses.resolve("http://127.0.0.1:9/hook", allow_private=True).address == "127.0.0.1"


def test_a_name_resolving_anywhere_private_is_refused(monkeypatch):
    def answers(host, port, *args, **kwargs):
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", (PUBLIC, port)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.5", port)),
        ]

    monkeypatch.setattr(addresses.socket, "getaddrinfo", answers)
    with pytest.raises(addresses.UnsafeAddress, match="10.0.0.5"):
        addresses.resolve("https://hooks.example.com/", allow_private=False)


@pytest.mark.django_db
def test_the_check_runs_again_at_send_time(org, in_state, monkeypatch, receiver):
    """DNS changed after the endpoint was saved: the send is refused and nothing is sent."""
    answer = {"address": PUBLIC}

    def dns(host, port, *args, **kwargs):
        if host == "hooks.example.com":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answer["address"], port))]
        raise socket.gaierror("unknown")

    monkeypatch.setattr(addresses.socket, "getaddrinfo", dns)
    endpoint = services.endpoint_save(
        endpoint=Endpoint(name="ERP", url=f"http://hooks.example.com:{receiver.port}/", events=[Event.REQUEST_FILED]),
        by=org.admin,
    )
    in_state("pending_approval")
    answer["address"] = "127.0.0.1"  # now it points at the portal's own machine
    item = Delivery.objects.get(endpoint=endpoint)
    assert outbox.deliver_one(item.pk) == "retry"
    item.refresh_from_db()
    assert "127.0.0.1" in item.last_error and item.response_code is None
    assert receiver.received == [] and receiver.refused == []


@pytest.mark.django_db
def test_the_page_refuses_a_private_address_and_saves_nothing(client, org):
    login(client, org.purchasing_head)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # the message is checked in English
    response = client.post(
        "/webhooks/new/",
        {
            "name": "ERP",
            "url": "http://127.0.0.1:8000/hook",
            "department": org.purchasing.pk,
            "events": [Event.REQUEST_FILED],
            "allow_private": "on",  # not theirs to tick: ignored
        },
    )
    assert response.status_code == 200
    assert "loopback, private or reserved" in response.content.decode()
    assert not Endpoint.objects.exists()


@pytest.mark.django_db
def test_a_superuser_may_allow_private_addresses(client, org):
    login(client, org.admin)
    response = client.post(
        "/webhooks/new/",
        {"name": "Local", "url": "http://127.0.0.1:8000/hook", "events": [Event.REQUEST_FILED], "allow_private": "on"},
    )
    endpoint = Endpoint.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/webhooks/{endpoint.pk}/"
    assert endpoint.allow_private and endpoint.department is None and endpoint.created_by == org.admin
    assert endpoint.secret.startswith("whsec_")


@pytest.mark.django_db
def test_a_head_cannot_register_for_the_whole_organisation(org):
    with pytest.raises(services.WebhookError):
        services.endpoint_save(
            endpoint=Endpoint(name="x", url=f"https://{PUBLIC}/", events=[Event.REQUEST_FILED]), by=org.sales_head
        )
