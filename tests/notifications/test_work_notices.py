"""Personal work notices: DingTalk 工作通知, WeCom 应用消息 and Feishu app messages, sent through
the outbox to a local server that speaks each platform's documented request format (token
endpoint, send endpoint, lookup by mobile) and refuses wrong credentials, tokens and shapes."""

import json
import re
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from notifications import workim
from notifications.models import DecisionLink, Delivery, ImAccount, ImApp, NotificationPreference
from tests.conftest import login

pytestmark = pytest.mark.django_db

CREDENTIALS = {
    "dingtalk": ("ding-appkey", "ding-secret", "1234567"),
    "wecom": ("ww-corp", "wecom-secret", "1000002"),
    "feishu": ("cli_feishu", "feishu-secret", ""),
}
MOBILES = {"13800000001": "sales-head-im", "13800000002": "requester-im"}


class Platforms(BaseHTTPRequestHandler):
    """The three platforms' open APIs, as much as the portal uses, each checking what it gets."""

    server: "PlatformServer"

    def log_message(self, *args):
        pass

    def _answer(self, payload: dict, status: int = 200):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _bad(self, why: str):
        self.server.violations.append(f"{self.path}: {why}")
        self._answer({"error": why}, 400)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        state = self.server
        if url.path == "/gettoken":  # DingTalk
            key, secret, _agent = CREDENTIALS["dingtalk"]
            state.token_requests.append("dingtalk")
            if (query.get("appkey"), query.get("appsecret")) != (key, secret):
                return self._answer({"errcode": 40089, "errmsg": "不合法的corpid或corpsecret"})
            return self._answer(
                {"errcode": 0, "errmsg": "ok", "access_token": state.tokens["dingtalk"], "expires_in": 7200}
            )
        if url.path == "/cgi-bin/gettoken":  # WeCom
            corp, secret, _agent = CREDENTIALS["wecom"]
            state.token_requests.append("wecom")
            if (query.get("corpid"), query.get("corpsecret")) != (corp, secret):
                return self._answer({"errcode": 40001, "errmsg": "invalid credential"})
            return self._answer(
                {"errcode": 0, "errmsg": "ok", "access_token": state.tokens["wecom"], "expires_in": 7200}
            )
        return self._bad("unknown GET")

    def do_POST(self):
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query))
        length = int(self.headers.get("Content-Length") or 0)
        if "application/json" not in (self.headers.get("Content-Type") or ""):
            return self._bad("not JSON")
        try:
            body = json.loads(self.rfile.read(length))
        except ValueError:
            return self._bad("body is not JSON")
        state = self.server
        if url.path == "/open-apis/auth/v3/tenant_access_token/internal":  # Feishu
            app_id, secret, _agent = CREDENTIALS["feishu"]
            state.token_requests.append("feishu")
            if (body.get("app_id"), body.get("app_secret")) != (app_id, secret):
                return self._answer({"code": 10014, "msg": "app secret invalid"})
            return self._answer({"code": 0, "msg": "ok", "tenant_access_token": state.tokens["feishu"], "expire": 7200})

        def ding_token_ok():
            return query.get("access_token") == state.tokens["dingtalk"]

        def wecom_token_ok():
            return query.get("access_token") == state.tokens["wecom"]

        def feishu_token_ok():
            return self.headers.get("Authorization") == f"Bearer {state.tokens['feishu']}"

        if url.path == "/topapi/message/corpconversation/asyncsend_v2":
            if not ding_token_ok():
                return self._answer({"errcode": 88, "errmsg": "不合法的access_token"})
            msg = body.get("msg") or {}
            if not (
                body.get("agent_id") == int(CREDENTIALS["dingtalk"][2])
                and isinstance(body.get("userid_list"), str)
                and msg.get("msgtype") == "markdown"
                and isinstance(msg.get("markdown", {}).get("title"), str)
                and isinstance(msg.get("markdown", {}).get("text"), str)
            ):
                return self._bad(f"DingTalk work notice shape: {body}")
            state.sent.append(("dingtalk", body["userid_list"], msg["markdown"]["text"]))
            return self._answer({"errcode": 0, "errmsg": "ok", "task_id": len(state.sent), "request_id": "r"})
        if url.path == "/cgi-bin/message/send":
            if not wecom_token_ok():
                return self._answer({"errcode": 40014, "errmsg": "invalid access_token"})
            if not (
                body.get("agentid") == int(CREDENTIALS["wecom"][2])
                and isinstance(body.get("touser"), str)
                and body.get("msgtype") == "text"
                and isinstance(body.get("text", {}).get("content"), str)
            ):
                return self._bad(f"WeCom app message shape: {body}")
            state.sent.append(("wecom", body["touser"], body["text"]["content"]))
            return self._answer({"errcode": 0, "errmsg": "ok", "msgid": "m"})
        if url.path == "/open-apis/im/v1/messages":
            if not feishu_token_ok():
                return self._answer({"code": 99991663, "msg": "Invalid access token"})
            if query.get("receive_id_type") != "user_id" or body.get("msg_type") != "text":
                return self._bad(f"Feishu message shape: {query} {body}")
            try:
                content = json.loads(body.get("content"))  # a JSON string, not an object
            except (TypeError, ValueError):
                return self._bad("Feishu content must be a JSON string")
            state.sent.append(("feishu", body.get("receive_id"), content["text"]))
            return self._answer({"code": 0, "msg": "success", "data": {"message_id": "om_1"}})
        if url.path == "/topapi/v2/user/getbymobile":
            if not ding_token_ok():
                return self._answer({"errcode": 88, "errmsg": "不合法的access_token"})
            found = MOBILES.get(body.get("mobile"))
            if not found:
                return self._answer({"errcode": 60121, "errmsg": "找不到该用户"})
            return self._answer({"errcode": 0, "result": {"userid": f"dingtalk-{found}"}})
        if url.path == "/cgi-bin/user/getuserid":
            if not wecom_token_ok():
                return self._answer({"errcode": 40014, "errmsg": "invalid access_token"})
            found = MOBILES.get(body.get("mobile"))
            if not found:
                return self._answer({"errcode": 46004, "errmsg": "user no exist"})
            return self._answer({"errcode": 0, "errmsg": "ok", "userid": f"wecom-{found}"})
        if url.path == "/open-apis/contact/v3/users/batch_get_id":
            if not feishu_token_ok() or query.get("user_id_type") != "user_id":
                return self._answer({"code": 99991663, "msg": "Invalid access token"})
            people = [
                {"mobile": m, **({"user_id": f"feishu-{MOBILES[m]}"} if m in MOBILES else {})}
                for m in body.get("mobiles", [])
            ]
            return self._answer({"code": 0, "msg": "success", "data": {"user_list": people}})
        return self._bad("unknown POST")


class PlatformServer(ThreadingHTTPServer):
    def __init__(self):
        super().__init__(("127.0.0.1", 0), Platforms)
        self.tokens = {"dingtalk": "ding-token-1", "wecom": "wecom-token-1", "feishu": "t-feishu-1"}
        self.token_requests: list[str] = []
        self.sent: list[tuple[str, str, str]] = []
        self.violations: list[str] = []


@pytest.fixture
def platform(settings):
    server = PlatformServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    settings.IM_DINGTALK_API = settings.IM_WECOM_API = settings.IM_FEISHU_API = base
    cache.clear()
    yield server
    server.shutdown()
    server.server_close()
    assert not server.violations, server.violations


@pytest.fixture
def apps(db):
    return {
        kind: ImApp.objects.create(kind=kind, app_id=app_id, secret=secret, agent_id=agent)
        for kind, (app_id, secret, agent) in CREDENTIALS.items()
    }


@pytest.fixture
def accounts(org):
    for kind in CREDENTIALS:
        ImAccount.objects.create(user=org.sales_head, kind=kind, im_user_id=f"{kind}-sales-head")


def test_an_approver_hears_on_each_platform_with_their_decision_links(
    client, org, purchase, file_request, platform, apps, accounts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        task = file_request(purchase)
    sent = {kind: (to, text) for kind, to, text in platform.sent}
    assert set(sent) == {"dingtalk", "wecom", "feishu"}
    for kind, (to, text) in sent.items():
        assert to == f"{kind}-sales-head" and task.number in text
        assert len(re.findall(r"/decide/[\w-]+/", text)) == 2, text
    assert sorted(platform.token_requests) == ["dingtalk", "feishu", "wecom"]
    assert set(Delivery.objects.filter(channel="im").values_list("status", flat=True)) == {"sent"}
    # The e-mail and the IM notices carry the same two links: one decision spends them all.
    assert DecisionLink.objects.filter(user=org.sales_head).count() == 2
    approve = re.findall(r"(/decide/[\w-]+/)", sent["feishu"][1])[0]
    login(client, org.sales_head)
    assert client.post(approve, {"decision": "approve", "opinion": "飞书上同意"}).status_code == 302
    task.refresh_from_db()
    assert task.approvals.get(approver=org.sales_head).decision == "approved"
    assert client.get(re.findall(r"(/decide/[\w-]+/)", sent["wecom"][1])[0]).status_code == 410


def test_tokens_are_cached_and_fetched_again_when_revoked(
    org, purchase, file_request, platform, apps, accounts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        file_request(purchase)
        file_request(purchase, title="第二件")
    assert len(platform.sent) == 6 and len(platform.token_requests) == 3  # one token per app
    platform.tokens["wecom"] = "wecom-token-2"  # the platform revokes the cached token
    with django_capture_on_commit_callbacks(execute=True):
        file_request(purchase, title="第三件")
    failed = Delivery.objects.get(channel="im", address="wecom-sales-head", status="pending")
    assert "40014" in failed.last_error
    Delivery.objects.filter(pk=failed.pk).update(next_attempt_at=failed.created_at)
    from notifications.delivery import deliver_one

    assert deliver_one(failed.pk) == "sent"
    assert platform.token_requests.count("wecom") == 2


def test_wrong_credentials_are_refused_and_retried_later(
    org, purchase, file_request, platform, apps, accounts, django_capture_on_commit_callbacks
):
    ImApp.objects.filter(kind="dingtalk").update(secret="wrong")
    with django_capture_on_commit_callbacks(execute=True):
        file_request(purchase)
    ding = Delivery.objects.get(channel="im", address="dingtalk-sales-head")
    assert ding.status == "pending" and ding.attempts == 1 and "40089" in ding.last_error
    assert {kind for kind, *_ in platform.sent} == {"wecom", "feishu"}


def test_no_notice_without_an_active_app_or_an_account(
    org, purchase, file_request, platform, apps, django_capture_on_commit_callbacks
):
    ImAccount.objects.create(user=org.sales_head, kind="wecom", im_user_id="wecom-sales-head")
    app = apps["wecom"]
    app.is_active = False
    app.save()
    with django_capture_on_commit_callbacks(execute=True):
        file_request(purchase)
    assert not Delivery.objects.filter(channel="im").exists() and not platform.sent


def test_notices_follow_the_persons_choices(
    org, purchase, file_request, platform, apps, accounts, django_capture_on_commit_callbacks
):
    NotificationPreference.objects.create(user=org.sales_head, email_kinds=[])
    with django_capture_on_commit_callbacks(execute=True):
        file_request(purchase)
    assert not platform.sent


@pytest.mark.parametrize("kind", ["dingtalk", "wecom", "feishu"])
def test_people_are_matched_by_mobile(org, platform, apps, kind):
    org.sales_head.phone, org.requester.phone, org.outsider.phone = "13800000001", "13800000002", "13900000009"
    for person in (org.sales_head, org.requester, org.outsider):
        person.save(update_fields=["phone"])
    matched, unknown = workim.match_by_mobile(apps[kind])
    assert matched == 2 and unknown == ["outsider"]
    assert ImAccount.objects.get(user=org.sales_head, kind=kind).im_user_id == f"{kind}-sales-head-im"
    assert ImAccount.objects.get(user=org.requester, kind=kind).im_user_id == f"{kind}-requester-im"
    assert workim.match_by_mobile(apps[kind]) == (0, ["outsider"])  # the matched are not asked again


def test_csv_import_is_all_or_nothing(client, org):
    login(client, org.admin)
    good = "username,platform,im_user_id\nsales_head,dingtalk,ding-1\nrequester,feishu,fs-2\n"
    bad = "sales_head,wecom,w-1\nnobody,wecom,w-2\nrequester,icq,123\nassignee,wecom\n"
    response = client.post(
        "/admin/notifications/imaccount/import/", {"file": SimpleUploadedFile("ids.csv", bad.encode())}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "nobody" in html and "icq" in html and ("Line 4" in html or "第 4 行" in html)
    assert not ImAccount.objects.exists()
    response = client.post(
        "/admin/notifications/imaccount/import/", {"file": SimpleUploadedFile("ids.csv", good.encode("utf-8-sig"))}
    )
    assert response.status_code == 302
    assert dict(ImAccount.objects.values_list("user__username", "im_user_id")) == {
        "sales_head": "ding-1",
        "requester": "fs-2",
    }
    login(client, org.sales_head)  # not staff
    assert client.get("/admin/notifications/imaccount/import/").status_code == 302
    with pytest.raises(workim.ImportRefused):
        workim.import_accounts(b"\xff\xfe")


def test_the_secret_is_never_shown_back_and_kept_when_left_empty(client, org, apps):
    login(client, org.admin)
    app = apps["wecom"]
    page = client.get(f"/admin/notifications/imapp/{app.pk}/change/")
    assert page.status_code == 200 and "wecom-secret" not in page.content.decode()
    data = {"kind": "wecom", "app_id": "ww-corp", "secret": "", "agent_id": "1000002", "is_active": "on"}
    assert client.post(f"/admin/notifications/imapp/{app.pk}/change/", data).status_code == 302
    app.refresh_from_db()
    assert app.secret == "wecom-secret"
    data["secret"] = "rotated"
    client.post(f"/admin/notifications/imapp/{app.pk}/change/", data)
    app.refresh_from_db()
    assert app.secret == "rotated"
    # DingTalk and WeCom need a numeric agent ID.
    data["agent_id"] = "abc"
    page = client.post(f"/admin/notifications/imapp/{app.pk}/change/", data)
    assert page.status_code == 200 and ImApp.objects.get(pk=app.pk).agent_id == "1000002"
