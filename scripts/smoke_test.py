"""Smoke test through a running production stack: nginx → gunicorn, PostgreSQL, Redis, a
worker, the SMS gateway stand-in.

Usage: smoke_test.py BASE_URL WORKDIR --plain PLAIN_URL --socket SOCKET --proxy-group GROUP
    --direct APP_URL
BASE_URL is nginx's listener that plays TLS, PLAIN_URL its plain-HTTP listener, SOCKET
gunicorn's Unix socket (only GROUP, nginx's workers', may open it), APP_URL the TCP address
where gunicorn must not listen. Clients connect from loopback addresses of their own
(127.0.0.21 …). Cookies are kept here, since they are Secure.
Exits non-zero with one line per failure.
"""

import argparse
import http.client
import json
import os
import re
import sys
import time
import urllib.parse
from pathlib import Path

parser = argparse.ArgumentParser()
parser.add_argument("base")
parser.add_argument("work", type=Path)
parser.add_argument("--plain", required=True)
parser.add_argument("--direct", required=True)
parser.add_argument("--socket", required=True)
parser.add_argument("--proxy-group", required=True)
args = parser.parse_args()
WORK = args.work
failures = []


class Client:
    """One browser: its own loopback address and its own cookies."""

    def __init__(self, base, source="127.0.0.21"):
        self.netloc = urllib.parse.urlsplit(base).netloc
        self.source = source
        self.cookies: dict[str, str] = {}

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection(self.netloc, timeout=20, source_address=(self.source, 0))
        sent = {"Host": self.netloc, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None and "Content-Type" not in sent:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Referer"] = f"https://{self.netloc}{path}"
        conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                value = rest.split(";", 1)[0]
                if value and "max-age=0" not in rest.lower():
                    self.cookies[name] = value
                else:
                    self.cookies.pop(name, None)
        data = response.read()
        conn.close()
        return response.status, data, {k.lower(): v for k, v in response.getheaders()}

    def get(self, path, expect=200, contains=None, headers=None):
        status, data, got = self.request(
            "GET", urllib.parse.quote(path, safe="/?=&"), headers=headers
        )
        text = data.decode("utf-8", "replace")
        if status != expect:
            failures.append(f"GET {path} from {self.source}: {status}, expected {expect}")
        if contains and contains not in text:
            failures.append(f"GET {path}: missing {contains!r}")
        return text, got

    def post_form(self, path, page_text, fields, headers=None):
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page_text)
        form = {"csrfmiddlewaretoken": token.group(1) if token else "", **fields}
        return self.request("POST", path, urllib.parse.urlencode(form), headers)


def django_orm():
    """The smoke test reads the database as an operator would (same environment)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bizenv.settings")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()


browser = Client(args.base)

# --- Pages, headers, static files served by nginx ---------------------------------------
home, headers = browser.get("/", contains="上海市2022年度各区优化营商环境优秀案例和良好实践")
for header in (
    "x-content-type-options",
    "referrer-policy",
    "x-frame-options",
    "strict-transport-security",
    "content-security-policy",
):
    if header not in headers:
        failures.append(f"GET /: header {header} missing")
css = re.search(r'href="(/static/[^"]+\.css)"', home)
if not css or not re.search(r"\.[0-9a-f]{12}\.css$", css.group(1)):
    failures.append("static CSS is not served under a hashed name")
else:
    _, static_headers = browser.get(css.group(1))
    if "immutable" not in static_headers.get("cache-control", ""):
        failures.append("static files are not served by nginx with a long cache")
    for header in ("strict-transport-security", "referrer-policy", "x-content-type-options"):
        if header not in static_headers:
            failures.append(f"a static file through nginx: header {header} missing")
browser.get("/cases/archive/?q=帮办", contains="<mark>帮办</mark>")
browser.get("/cases/999999/", expect=404)
browser.get("/media/attachments/x.pdf", expect=404)  # uploads are never served directly

# --- Plain http is redirected to https, to SITE_URL's host only ------------------------------
site_host = urllib.parse.urlsplit(args.base).netloc  # SITE_URL's host in deploy-check
status, _, plain_headers = Client(args.plain).request("GET", "/cases/archive/?q=x")
if status != 301 or plain_headers.get("location") != f"https://{site_host}/cases/archive/?q=x":
    failures.append(f"plain http was not redirected to https://{site_host} ({status})")


def unanswered(base, host):
    """True when nginx closes the connection without a word (its 444) for this Host."""
    try:
        Client(base).request("GET", "/", headers={"Host": host})
    except (http.client.RemoteDisconnected, ConnectionResetError):
        return True
    return False


# --- Any other Host gets no answer, on either listener ------------------------------------
for listener in (args.base, args.plain):
    for host in ("evil.example", "evil.example:" + site_host.rpartition(":")[2], "localhost"):
        if not unanswered(listener, host):
            failures.append(f"nginx answered Host {host!r} on {listener}")

# --- A protected download: the app answers X-Accel-Redirect, nginx sends the file -------
django_orm()
from cases.models import Round  # noqa: E402
from publishing.models import NoticeDocument  # noqa: E402

deadline = time.time() + 60
published = Round.objects.filter(status=Round.Status.PUBLISHED).order_by("-year").first()
while (
    time.time() < deadline
    and not NoticeDocument.objects.filter(
        round=published, format="pdf", status=NoticeDocument.Status.DONE
    ).exists()
):
    time.sleep(0.5)
status, body, got = browser.request("GET", f"/notices/{published.pk}/pdf/")
if status != 200 or not body.startswith(b"%PDF") or "x-accel-redirect" in got:
    failures.append(f"the notice PDF did not come through nginx's protected location ({status})")
elif "attachment" not in got.get("content-disposition", ""):
    failures.append("the notice PDF is not sent as an attachment")
# nginx replaced the app's answer by the file: the policies must still be there, as the app's.
for header in (
    "content-security-policy",
    "x-frame-options",
    "permissions-policy",
    "strict-transport-security",
    "referrer-policy",
    "x-content-type-options",
):
    if header not in got:
        failures.append(f"a download through nginx: header {header} missing")
if "sandbox" not in got.get("content-security-policy", ""):
    failures.append("a download through nginx is not sandboxed by its CSP")
for header in ("permissions-policy", "referrer-policy", "strict-transport-security"):
    if got.get(header) != headers.get(header):
        failures.append(f"a download's {header} differs from a page's: {got.get(header)!r}")


# --- Login as staff through the real form, CSRF in force, with the second factor --------
def totp_now(username):
    """What the staff member's authenticator shows (its key read as the phone read it)."""
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.get(user__username=username)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def security_events(kind, subject):
    from accounts.models import SecurityEvent

    return list(SecurityEvent.objects.filter(kind=kind, subject=subject).order_by("-id"))


login_page, _ = browser.get("/accounts/login/")
status, _, got = browser.post_form(
    "/accounts/login/", login_page, {"username": "staff", "password": "demo-2026"}
)
if status != 302 or "sessionid" not in browser.cookies:
    failures.append(f"staff login failed ({status})")
else:
    # Production: staff must enrol an authenticator before any page opens.
    status, _, got = browser.request("GET", "/workspace/")
    if status != 302 or "/accounts/two-factor/" not in got.get("location", ""):
        failures.append(f"staff reached a page without the second factor ({status})")
    setup, _ = browser.get("/accounts/two-factor/", contains="data:image/svg+xml")
    status, codes_page, _ = browser.post_form(
        "/accounts/two-factor/", setup, {"token": totp_now("staff"), "next": "/workspace/"}
    )
    codes = re.findall(r"<li>([a-z0-9]{8})</li>", codes_page.decode())
    if status != 200 or len(codes) != 10:
        failures.append(f"2FA enrolment did not give ten backup codes ({status})")
    browser.get("/workspace/", contains="工作台")
    # The login is in the security audit with the client's address, not nginx's.
    logins = security_events("login", "staff")
    if not logins or logins[0].address != browser.source:
        got_address = logins[0].address if logins else None
        failures.append(f"the staff login was not audited from {browser.source} ({got_address})")
    # Idle: the session's stamp put back 31 minutes, as if the clerk had left the desk.
    from django.conf import settings as dj_settings
    from django.contrib.sessions.backends.cached_db import SessionStore

    session = SessionStore(browser.cookies["sessionid"])
    session["last_activity"] -= (dj_settings.SESSION_IDLE_MINUTES + 1) * 60
    session.save()
    status, _, got = browser.request("GET", "/workspace/")
    if status != 302 or "/accounts/login/" not in got.get("location", ""):
        failures.append(f"an idle staff session did not end ({status})")
    if not security_events("idle_timeout", "staff"):
        failures.append("the idle timeout was not audited")
    # The next login: password, then a backup code (this step's TOTP code is spent).
    login_page, _ = browser.get("/accounts/login/")
    browser.post_form(
        "/accounts/login/", login_page, {"username": "staff", "password": "demo-2026"}
    )
    # The previous login's time and address are shown at once (on the second-factor page).
    verify, _ = browser.get("/accounts/two-factor/", contains="上次登录")
    status, _, _ = browser.post_form(
        "/accounts/two-factor/", verify, {"token": codes[0] if codes else "", "next": "/"}
    )
    if status != 302:
        failures.append(f"a backup code did not pass the second factor ({status})")
    browser.get("/workspace/", contains="工作台")


# --- Votes: the stored address is the client's, and forged headers are not believed ------
def captcha_answer(page_text):
    """The captcha's answer, read from the database as only the operator could."""
    key = re.search(r'name="captcha_0" value="([^"]+)"', page_text)
    if not key:
        return {}
    from captcha.models import CaptchaStore

    return {
        "captcha_0": key.group(1),
        "captcha_1": CaptchaStore.objects.get(hashkey=key.group(1)).response,
    }


def last_code(phone):
    outbox = Path(os.environ["SMS_OUTBOX"])
    for line in reversed(
        outbox.read_text(encoding="utf-8").splitlines() if outbox.exists() else []
    ):
        message = json.loads(line)
        if message["phone"] == phone:
            return message["params"]["code"]
    return None


def vote_as(client, phone, forged=None):
    """Verify ``phone`` and vote for the first case of the open round; returns the case id."""
    extra = {"X-Forwarded-For": forged} if forged else {}
    status, _, got = client.request("GET", "/vote/", headers=extra)
    round_link = re.search(r"/vote/(\d+)/$", got.get("location", ""))  # the one open round
    if status != 302 or not round_link:
        failures.append(f"no open vote on /vote/ ({status})")
        return None
    round_page, _ = client.get(f"/vote/{round_link.group(1)}/", headers=extra)
    action = re.search(r'action="(/vote/\d+/cases/(\d+)/vote/)"', round_page)
    phone_page, _ = client.get("/vote/phone/", headers=extra)
    # The voter ticks the consent to the privacy notice (PIPL): without it no code is sent.
    answer = {"phone": phone, "consent": "on", **captcha_answer(phone_page)}
    status, _, _ = client.post_form("/vote/phone/", phone_page, answer, extra)
    code = last_code(phone)
    if status != 302 or not code:
        failures.append(f"no code reached the SMS gateway for {phone} ({status})")
        return None
    verify_page, _ = client.get("/vote/verify/", headers=extra)
    status, _, _ = client.post_form("/vote/verify/", verify_page, {"code": code}, extra)
    if status != 302 or "voter" not in client.cookies:
        failures.append(f"the code did not verify {phone} ({status})")
        return None
    status, _, _ = client.post_form(action.group(1), round_page, {}, extra)
    if status != 302:
        failures.append(f"the vote of {phone} was not taken ({status})")
    return int(action.group(2))


def stored_address(phone):
    from reviews.models import Vote

    vote = Vote.objects.filter(voter__phone=phone).order_by("-id").first()
    return vote.ip if vote else None


checks = [
    # (client, phone, forged X-Forwarded-For, the address that must be stored)
    (Client(args.base, "127.0.0.21"), "13900000021", None, "127.0.0.21"),
    (Client(args.base, "127.0.0.22"), "13900000022", "203.0.113.99", "127.0.0.22"),
]
for client, phone, forged, expected in checks:
    if vote_as(client, phone, forged) is not None:
        got = stored_address(phone)
        if got != expected:
            failures.append(
                f"a vote from {client.source} (X-Forwarded-For: {forged}) stored {got}, "
                f"expected {expected}"
            )

# --- Only nginx reaches gunicorn: a socket of nginx's group, nothing on TCP ------------------
# A local process that could open gunicorn's door could speak as the trusted proxy.
import grp  # noqa: E402
import stat  # noqa: E402

if not stat.S_ISSOCK(os.stat(args.socket).st_mode):
    failures.append(f"gunicorn does not listen on the socket {args.socket}")
folder = os.stat(os.path.dirname(args.socket))
if folder.st_mode & 0o007:
    failures.append(f"gunicorn's socket folder is open to every local user ({oct(folder.st_mode)})")
if grp.getgrgid(folder.st_gid).gr_name != args.proxy_group:
    failures.append(f"gunicorn's socket folder is not of nginx's group {args.proxy_group}")
try:
    Client(args.direct, "127.0.0.23").request("GET", "/")
    failures.append(f"gunicorn answers over TCP at {args.direct}")
except ConnectionRefusedError:
    pass

# --- A task through Redis and the worker: the worker writes the mail file ---------------
from core.tasks import send_smoke_mail  # noqa: E402

send_smoke_mail.delay("deploy-check")
deadline = time.time() + 30
mail_dir = WORK / "mail"
while time.time() < deadline and not (mail_dir.exists() and any(mail_dir.iterdir())):
    time.sleep(0.3)
if not (mail_dir.exists() and any(mail_dir.iterdir())):
    failures.append("the Celery worker did not run the smoke task within 30 s")

for line in failures:
    print(line, file=sys.stderr)
print(f"smoke test: {len(failures)} failure(s)")
sys.exit(1 if failures else 0)
