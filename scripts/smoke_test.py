"""Smoke test through a running production stack: pages, headers, static files, login, a task.

Usage: smoke_test.py BASE_URL WORKDIR. Plays the TLS proxy (X-Forwarded-Proto: https) and
keeps cookies itself, since they are Secure. Exits non-zero with one line per failure.
"""

import http.client
import os
import re
import sys
import time
import urllib.parse
from pathlib import Path

BASE, WORK = sys.argv[1].rstrip("/"), Path(sys.argv[2])
HOST = urllib.parse.urlsplit(BASE).netloc
failures = []
cookies: dict[str, str] = {}


def request(method, path, body=None, headers=None):
    conn = http.client.HTTPConnection(HOST, timeout=10)
    sent = {"X-Forwarded-Proto": "https", "Host": HOST, **(headers or {})}
    if cookies:
        sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    conn.request(method, path, body=body, headers=sent)
    response = conn.getresponse()
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            cookies[name] = rest.split(";", 1)[0]
    data = response.read().decode("utf-8", "replace")
    conn.close()
    return response.status, data, dict(response.getheaders())


def get(path, expect=200, contains=None):
    status, text, headers = request("GET", urllib.parse.quote(path, safe="/?=&"))
    if status != expect:
        failures.append(f"GET {path}: {status}, expected {expect}")
    if contains and contains not in text:
        failures.append(f"GET {path}: missing {contains!r}")
    return text, headers


home, headers = get("/", contains="上海市2022年度各区优化营商环境优秀案例和良好实践")
for header in (
    "X-Content-Type-Options",
    "Referrer-Policy",
    "X-Frame-Options",
    "Strict-Transport-Security",
):
    if header not in headers:
        failures.append(f"GET /: header {header} missing")
css = re.search(r'href="(/static/[^"]+\.css)"', home)
if not css or not re.search(r"\.[0-9a-f]{12}\.css$", css.group(1)):
    failures.append("static CSS is not served under a hashed name")
else:
    get(css.group(1))
get("/cases/archive/?q=帮办", contains="<mark>帮办</mark>")
get("/cases/999999/", expect=404)

# Plain http without the proxy's header is redirected to https.
status, _, headers = http.client.HTTPConnection(HOST, timeout=10), None, None
conn = http.client.HTTPConnection(HOST, timeout=10)
conn.request("GET", "/", headers={"Host": HOST})
plain = conn.getresponse()
if plain.status != 301 or not plain.getheader("Location", "").startswith("https://"):
    failures.append(f"plain http was not redirected to https ({plain.status})")
conn.close()

# Login as staff through the real form, CSRF in force.
login_page, _ = get("/accounts/login/")
token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page)
form = urllib.parse.urlencode(
    {
        "username": "staff",
        "password": "demo-2026",
        "csrfmiddlewaretoken": token.group(1) if token else "",
    }
)
status, _, headers = request(
    "POST",
    "/accounts/login/",
    form,
    {
        "Content-Type": "application/x-www-form-urlencoded",
        "Referer": f"https://{HOST}/accounts/login/",
    },
)
if status != 302 or "sessionid" not in cookies:
    failures.append(f"staff login failed ({status})")
else:
    get("/admin/", contains="管理后台")

# A task through Redis and the worker: the worker writes the mail file.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bizenv.settings")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import django  # noqa: E402

django.setup()
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
