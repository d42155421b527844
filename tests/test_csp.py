"""Content-Security-Policy and Permissions-Policy (issue #15): the headers, and no inline
script left in any template the site renders (its own, and the packages' it does not
override), so that script-src needs no 'unsafe-inline'."""

import re
from pathlib import Path

import pytest
from django.template import engines
from django.template.loaders.app_directories import get_app_template_dirs
from django.test import Client
from django.urls import reverse

from core.browser_policies import header_value

# A <script …> opening tag and its attributes; `{{ x|json_script }}` renders a data block.
SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
DATA_TYPE = re.compile(r"""\btype\s*=\s*["']?application/(ld\+)?json""", re.IGNORECASE)
# An event handler attribute inside a tag: <button onclick=…>, <form onsubmit=…>.
HANDLER = re.compile(r"<[a-zA-Z][^>]*?\son[a-z]+\s*=", re.DOTALL)
JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.IGNORECASE)


def inline_code(source: str) -> list[str]:
    """What the policy would block in one template's source."""
    found = []
    for match in SCRIPT_TAG.finditer(source):
        attributes = match.group(1)
        if "src=" not in attributes.replace(" ", "") and not DATA_TYPE.search(attributes):
            found.append(match.group(0))
    found += [m.group(0)[-60:] for m in HANDLER.finditer(source)]
    found += [m.group(0) for m in JS_URL.finditer(source)]
    return found


def effective_templates():
    """Every template name any loader offers, resolved as the site resolves it (a project
    override wins over the package's template)."""
    engine = engines["django"]
    roots = [Path(d) for d in engine.engine.dirs] + [
        Path(d) for d in get_app_template_dirs("templates")
    ]
    names = sorted(
        {
            str(path.relative_to(root))
            for root in roots
            for path in root.rglob("*")
            if path.is_file() and path.suffix in (".html", ".htm")
        }
    )
    for name in names:
        yield name, Path(engine.get_template(name).origin.name)


def test_the_scanner_finds_inline_scripts_and_handlers():
    assert inline_code("<script>alert(1)</script>")
    assert inline_code('<SCRIPT type="text/javascript">x()</SCRIPT>')
    assert inline_code('<select class="x"\n  onchange="this.form.submit()">')
    assert inline_code('<form method="post" onsubmit="return confirm(\'确定？\');">')
    assert inline_code('<a href="javascript:void(0)">')
    assert not inline_code('<script src="/static/js/x.js"></script>')
    assert not inline_code('<script id="d" type="application/json">{"a": 1}</script>')
    assert not inline_code('<button data-confirm="确定？" class="btn">')
    assert not inline_code("<p>Python on the server</p>")


def test_no_template_has_an_inline_script_or_handler():
    offenders = {}
    for name, path in effective_templates():
        found = inline_code(path.read_text(encoding="utf-8"))
        if found:
            offenders[f"{name} ({path})"] = found
    assert offenders == {}


def test_the_import_export_page_is_overridden_without_its_inline_handler(settings):
    _, path = next(t for t in effective_templates() if t[0] == "admin/import_export/export.html")
    assert path == settings.BASE_DIR / "templates" / "admin" / "import_export" / "export.html"
    assert "js/admin_export.js" in path.read_text(encoding="utf-8")


def directives(header):
    return {
        part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part
    }


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/cases/archive/", "/statistics/", "/accounts/login/"])
def test_every_page_carries_an_enforced_policy_without_unsafe_inline_scripts(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert "Content-Security-Policy-Report-Only" not in response
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]


@pytest.mark.django_db
def test_the_admin_and_a_refused_request_carry_the_policy_too(staff):
    client = Client()
    client.force_login(staff)
    staff.is_superuser = True
    staff.save()
    for url in ("/admin/", "/admin/accounts/user/", "/admin/accounts/user/import/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert (
            "'unsafe-inline'" not in directives(response["Content-Security-Policy"])["script-src"]
        )
    refused = Client(enforce_csrf_checks=True).post(reverse("login"), {"username": "x"})
    assert refused.status_code == 403
    assert "Content-Security-Policy" in refused


@pytest.mark.django_db
def test_the_permissions_policy_switches_off_unused_features(client):
    header = client.get("/")["Permissions-Policy"]
    features = dict(part.split("=", 1) for part in header.split(", "))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()"


def test_the_permissions_policy_header_format():
    assert header_value({"camera": [], "fullscreen": ["self", "https://a.example"]}) == (
        'camera=(), fullscreen=(self "https://a.example")'
    )


@pytest.mark.django_db
def test_the_header_follows_the_settings_and_a_views_own_policy(client, settings, rf):
    from csp.decorators import csp_update
    from django.http import HttpResponse

    from core.browser_policies import CSPMiddleware

    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    assert client.get("/")["Content-Security-Policy"] == "default-src 'none'"

    @csp_update({"img-src": ["https://tiles.example"]})
    def view(request):
        return HttpResponse("x")

    response = CSPMiddleware(view)(rf.get("/"))
    assert directives(response["Content-Security-Policy"]) == {
        "default-src": ["'none'"],
        "img-src": ["https://tiles.example"],
    }
