"""The notification list, marking read, the bell on every page and the settings page."""

import re

import pytest
from django.utils import timezone, translation

from notifications.forms import PreferenceForm
from notifications.models import Notification, NotificationPreference
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_the_bell_counts_unread_notifications_on_every_page(client, org):
    def bell(url):
        body = client.get(url).content.decode()
        return re.search(r'id="bell".*?</a>', body, re.S).group(0)

    login(client, org.requester)
    assert "badge" not in bell("/")
    for n in range(3):
        Notification.objects.create(recipient=org.requester, kind="task.comment", message=f"消息{n}")
    Notification.objects.create(recipient=org.outsider, kind="task.comment", message="别人的")
    Notification.objects.create(recipient=org.requester, kind="task.comment", message="读过", read_at=timezone.now())
    for url in ("/", "/requests/list/all/", "/documents/", "/notifications/"):
        assert '<span class="badge text-bg-danger">3</span>' in bell(url), url
    assert 'href="/notifications/" id="bell"' in client.get("/").content.decode()
    client.post("/notifications/read/", {})
    assert "badge" not in bell("/")


def test_notifications_page_and_mark_read(client, org, purchase, file_request):
    task = file_request(purchase)
    login(client, org.sales_head)
    page = client.get("/notifications/")
    assert page.status_code == 200 and page.context["page"].paginator.count == 1
    body = page.content.decode()
    assert '<span class="badge text-bg-danger">1</span>' in body
    assert f'<a href="/requests/{task.number}/">' in body  # the notice leads to the request's page
    client.post("/notifications/read/")
    assert not Notification.objects.filter(recipient=org.sales_head, read_at__isnull=True).exists()


def test_mark_one_read_returns_to_a_local_page_only(client, org):
    mine = [
        Notification.objects.create(recipient=org.requester, kind="mention", message=f"提到你{n}") for n in range(2)
    ]
    theirs = Notification.objects.create(recipient=org.outsider, kind="mention", message="别人的")
    login(client, org.requester)
    reply = client.post("/notifications/read/", {"ids": [mine[0].pk, theirs.pk, "x"], "next": "/notifications/?page=1"})
    assert reply.status_code == 302 and reply["Location"] == "/notifications/?page=1"
    assert list(Notification.objects.filter(read_at__isnull=False)) == [mine[0]]  # not someone else's
    reply = client.post("/notifications/read/", {"ids": [mine[1].pk], "next": "https://evil.example/"})
    assert reply["Location"] == "/notifications/"


# What the settings page offered before each app registered its own kinds, in this order; the
# webhooks app's kind came later and is last, following requests came later still.
SETTINGS_CHOICES = [
    ("approval", "Something waits for my approval"),
    ("inbox", "A request waits for my department to accept it"),
    ("assigned", "A request was assigned to me"),
    ("verify", "A result waits for my verification"),
    ("status", "My request moved on (approved, accepted, declined…)"),
    ("watching", "A request I am on CC for or follow was filed, taken on or ended"),
    ("mention", "Someone mentioned me"),
    ("comment", "A comment on a request of mine"),
    ("reminder", "Reminders: due soon, overdue, waiting too long"),
    ("escalation", "Escalations to me as a manager"),
    ("documents", "Official documents: waiting for me, returned, issued to my department"),
    ("teams", "My teams: meetings, action items, daily progress"),
    ("conflicts", "Conflicts I am a party to, mediate or arbitrate"),
    ("handover", "Work handed over to me, and steps left on accounts that cannot act"),
    ("delegation", "My delegate acted for me"),
    ("webhooks", "Webhooks: an endpoint I manage was paused"),
]


def test_settings_page_offers_the_same_choices_in_the_same_order(client, org):
    with translation.override("en"):
        choices = [(value, str(label)) for value, label in PreferenceForm().fields["email_kinds"].choices]
    assert choices == SETTINGS_CHOICES
    login(client, org.requester)
    page = client.get("/notifications/settings/").content.decode()
    assert re.findall(r'name="email_kinds" value="(\w+)"', page) == [value for value, _label in SETTINGS_CHOICES]
    # Someone who never saved their settings gets these by e-mail, as before.
    assert NotificationPreference(user=org.requester).email_kinds == [
        "approval",
        "inbox",
        "assigned",
        "verify",
        "mention",
        "reminder",
        "escalation",
        "handover",
    ]


def test_settings_are_saved_and_a_made_up_kind_is_refused(client, org):
    login(client, org.requester)
    reply = client.post(
        "/notifications/settings/",
        {"email_kinds": ["documents", "status"], "digest_enabled": "on", "digest_time": "09:15"},
    )
    assert reply.status_code == 302 and reply["Location"] == "/notifications/settings/"
    preference = NotificationPreference.objects.get(user=org.requester)
    assert preference.email_kinds == ["documents", "status"] and preference.digest_time.hour == 9
    assert preference.wants_email("document.countersign") and preference.wants_email("approved")
    assert not preference.wants_email("approval") and not preference.wants_email("team.daily")
    reply = client.post("/notifications/settings/", {"email_kinds": ["everything"], "digest_time": "09:15"})
    assert reply.status_code == 200 and "everything" in reply.context["form"].errors["email_kinds"][0]
    preference.refresh_from_db()
    assert preference.email_kinds == ["documents", "status"]
