"""Personal notices on DingTalk (工作通知), WeCom (应用消息) and Feishu (a message from the app's
bot), through the organisation's own app (models.ImApp) to a person's IM user ID
(models.ImAccount), in each platform's documented request format:

- DingTalk: GET /gettoken?appkey=&appsecret=, then POST
  /topapi/message/corpconversation/asyncsend_v2?access_token= with agent_id, userid_list and msg;
  a person is found by mobile with POST /topapi/v2/user/getbymobile.
- WeCom: GET /cgi-bin/gettoken?corpid=&corpsecret=, then POST /cgi-bin/message/send?access_token=
  with touser, msgtype and agentid; by mobile with POST /cgi-bin/user/getuserid.
- Feishu: POST /open-apis/auth/v3/tenant_access_token/internal with app_id and app_secret, then
  POST /open-apis/im/v1/messages?receive_id_type=user_id with "Authorization: Bearer <token>";
  by mobile with POST /open-apis/contact/v3/users/batch_get_id?user_id_type=user_id.

Each access token is cached (per app and credentials) until shortly before it expires, and
dropped when a call fails, so a revoked token is fetched again on the retry. The base addresses
are settings (IM_DINGTALK_API, IM_WECOM_API, IM_FEISHU_API).
"""

import csv
import hashlib
import io
import json
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from departments.models import User
from notifications.models import ImAccount, ImApp

TIMEOUT_SECONDS = 5
K = ImApp.Kind


# "No such person" from a lookup by mobile: DingTalk 60121, WeCom 46004.
NOT_FOUND = {60121, 46004}


class ImError(RuntimeError):
    """The platform refused; the message says why, `code` is the platform's error code."""

    def __init__(self, message: str, code=None):
        super().__init__(message)
        self.code = code


def _base(app: ImApp) -> str:
    return {
        K.DINGTALK: settings.IM_DINGTALK_API,
        K.WECOM: settings.IM_WECOM_API,
        K.FEISHU: settings.IM_FEISHU_API,
    }[app.kind].rstrip("/")


def fetch(url: str, payload: dict | None = None, headers: dict | None = None, *, limit: int = 65536) -> bytes:
    """GET `url`, or POST `payload` to it as JSON; the first `limit` bytes of the answer. Also
    for the robots' webhooks (delivery.post_webhook)."""
    data = None if payload is None else json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(  # noqa: S310 - a platform's https address, or a test server
        url,
        data=data,
        method="GET" if payload is None else "POST",
        headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
    )
    # bandit B310: the address is a setting naming the platform's API, or a robot's URL, which is a
    # models.URLField (http(s) only); never other user input.
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310  # nosec B310
        return response.read(limit)


def _call(url: str, payload: dict | None = None, headers: dict | None = None) -> dict:
    answer = fetch(url, payload, headers)
    try:
        found = json.loads(answer or b"{}")
    except ValueError:
        raise ImError(f"not JSON: {answer[:200]!r}") from None
    if not isinstance(found, dict):
        raise ImError(f"unexpected answer: {found!r}"[:300])
    # The three platforms answer 200 with an error code in the body when they refuse.
    code = found.get("errcode", found.get("code", 0))
    if code not in (0, None):
        raise ImError(f"refused: {found}"[:500], code=code)
    return found


def _cache_key(app: ImApp) -> str:
    credentials = hashlib.sha256(f"{app.kind}\n{app.app_id}\n{app.secret}".encode()).hexdigest()[:32]
    return f"im-app-token:{app.pk}:{credentials}"


def access_token(app: ImApp) -> str:
    """The app's access token, from the cache or fetched from the platform."""
    key = _cache_key(app)
    token = cache.get(key)
    if token:
        return token
    base = _base(app)
    if app.kind == K.DINGTALK:
        query = urllib.parse.urlencode({"appkey": app.app_id, "appsecret": app.secret})
        found = _call(f"{base}/gettoken?{query}")
        token, lifetime = found.get("access_token"), found.get("expires_in", 7200)
    elif app.kind == K.WECOM:
        query = urllib.parse.urlencode({"corpid": app.app_id, "corpsecret": app.secret})
        found = _call(f"{base}/cgi-bin/gettoken?{query}")
        token, lifetime = found.get("access_token"), found.get("expires_in", 7200)
    else:
        found = _call(
            f"{base}/open-apis/auth/v3/tenant_access_token/internal",
            {"app_id": app.app_id, "app_secret": app.secret},
        )
        token, lifetime = found.get("tenant_access_token"), found.get("expire", 7200)
    if not token:
        raise ImError(f"no access token in the answer: {sorted(found)}")
    # Fetched again five minutes before the platform says it expires.
    cache.set(key, token, max(int(lifetime) - 300, 60))
    return token


def _with_token(app: ImApp, call):
    try:
        return call(access_token(app))
    except ImError as exc:
        if exc.code not in NOT_FOUND:  # a revoked or expired token is fetched again next time
            cache.delete(_cache_key(app))
        raise
    except OSError:
        cache.delete(_cache_key(app))
        raise


def send(app: ImApp, im_user_id: str, title: str, text: str) -> None:
    """Send one personal notice (a title and a text with links)."""
    base = _base(app)

    def call(token: str) -> dict:
        if app.kind == K.DINGTALK:
            return _call(
                f"{base}/topapi/message/corpconversation/asyncsend_v2?access_token={urllib.parse.quote(token)}",
                {
                    "agent_id": int(app.agent_id),
                    "userid_list": im_user_id,
                    "msg": {
                        "msgtype": "markdown",
                        "markdown": {"title": title[:60], "text": f"#### {title}\n\n{text}"},
                    },
                },
            )
        if app.kind == K.WECOM:
            return _call(
                f"{base}/cgi-bin/message/send?access_token={urllib.parse.quote(token)}",
                {
                    "touser": im_user_id,
                    "msgtype": "text",
                    "agentid": int(app.agent_id),
                    "text": {"content": f"{title}\n{text}"},
                },
            )
        return _call(
            f"{base}/open-apis/im/v1/messages?receive_id_type=user_id",
            {
                "receive_id": im_user_id,
                "msg_type": "text",
                # Feishu takes the content as a JSON string, not an object.
                "content": json.dumps({"text": f"{title}\n{text}"}, ensure_ascii=False),
            },
            headers={"Authorization": f"Bearer {token}"},
        )

    _with_token(app, call)


def user_id_by_mobile(app: ImApp, mobile: str) -> str | None:
    """The platform's user ID of the person with this mobile number, or None if it knows none."""
    base = _base(app)
    mobile = mobile.strip()

    def call(token: str) -> str | None:
        if app.kind == K.DINGTALK:
            found = _call(
                f"{base}/topapi/v2/user/getbymobile?access_token={urllib.parse.quote(token)}", {"mobile": mobile}
            )
            return (found.get("result") or {}).get("userid")
        if app.kind == K.WECOM:
            found = _call(f"{base}/cgi-bin/user/getuserid?access_token={urllib.parse.quote(token)}", {"mobile": mobile})
            return found.get("userid")
        found = _call(
            f"{base}/open-apis/contact/v3/users/batch_get_id?user_id_type=user_id",
            {"mobiles": [mobile]},
            headers={"Authorization": f"Bearer {token}"},
        )
        people = (found.get("data") or {}).get("user_list") or []
        return next((p.get("user_id") for p in people if p.get("user_id")), None)

    try:
        return _with_token(app, call)
    except ImError as exc:
        if exc.code in NOT_FOUND:  # DingTalk and WeCom answer "no such person" as an error
            return None
        raise


def match_by_mobile(app: ImApp) -> tuple[int, list[str]]:
    """Ask the platform, for each active person with a phone number and no ID on it yet, who they
    are there. Returns how many were matched and the usernames the platform did not know."""
    people = (
        User.objects.filter(is_active=True)
        .exclude(phone="")
        .exclude(im_accounts__kind=app.kind)
        .only("pk", "username", "phone")
        .order_by("username")
    )
    matched, unknown = 0, []
    for person in people:
        im_user_id = user_id_by_mobile(app, person.phone)
        if not im_user_id:
            unknown.append(person.username)
            continue
        ImAccount.objects.update_or_create(user=person, kind=app.kind, defaults={"im_user_id": im_user_id[:100]})
        matched += 1
    return matched, unknown


class ImportRefused(ValueError):
    """The CSV file has errors; nothing was saved. `errors` are for the person who uploaded it."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


MAX_IMPORT_ROWS = 20000


def import_accounts(data: bytes) -> int:
    """People's IM user IDs from a CSV file with the columns username, platform (dingtalk, wecom
    or feishu) and im_user_id, in UTF-8 (with or without BOM). All of it or, on any error, none."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ImportRefused([_("The file is not UTF-8 text.")]) from None
    rows = list(csv.reader(io.StringIO(text)))
    if rows and [c.strip().lower() for c in rows[0]][:3] == ["username", "platform", "im_user_id"]:
        rows = rows[1:]
    if not rows:
        raise ImportRefused([_("The file has no rows.")])
    if len(rows) > MAX_IMPORT_ROWS:
        raise ImportRefused([_("At most %(count)s rows at a time.") % {"count": MAX_IMPORT_ROWS}])
    people = {
        u.username: u
        for u in User.objects.filter(username__in=[r[0].strip() for r in rows if r]).only("pk", "username")
    }
    errors, wanted = [], {}
    for line, row in enumerate(rows, start=1):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < 3:
            errors.append(_("Line %(line)s: three columns are needed.") % {"line": line})
            continue
        username, kind, im_user_id = (cell.strip() for cell in row[:3])
        if username not in people:
            errors.append(_("Line %(line)s: nobody is called “%(name)s”.") % {"line": line, "name": username[:60]})
        elif kind not in ImApp.Kind.values:
            errors.append(_("Line %(line)s: unknown platform “%(kind)s”.") % {"line": line, "kind": kind[:30]})
        elif not im_user_id or len(im_user_id) > 100:
            errors.append(_("Line %(line)s: the IM user ID is missing or too long.") % {"line": line})
        else:
            wanted[(people[username].pk, kind)] = im_user_id
    if errors:
        raise ImportRefused(errors[:20])
    with transaction.atomic():
        for (user_id, kind), im_user_id in wanted.items():
            ImAccount.objects.update_or_create(user_id=user_id, kind=kind, defaults={"im_user_id": im_user_id})
    return len(wanted)
