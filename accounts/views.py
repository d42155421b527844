import datetime
import unicodedata

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from core.identifiers import IdentifierError, optional_id, optional_int

from . import audit as trail
from . import security, security_audit
from .models import SecurityEvent

# Where each role starts its day; a page that a later feature has not built yet falls back
# to the generic dashboard.
ROLE_HOME = {
    "staff": "publishing:workspace",
    "officer": "cases:my_cases",
    "expert": "reviews:expert_home",
    "auditor": "accounts:security_audit",
}


@login_required
def home(request):
    user = request.user
    role = "staff" if user.is_commission_staff else user.role
    target = ROLE_HOME.get(role)
    if target:
        try:
            return redirect(reverse(target))
        except NoReverseMatch:
            pass
    return render(request, "accounts/home.html")


@login_required
def password_changed(request):
    """After a password change (also the forced first one) everyone lands on their own
    start page, staff on the workspace, with the confirmation as a message."""
    messages.success(request, _("密码已修改，新密码已生效，其他设备上的登录已失效。"))
    return redirect("accounts:home")


FILTER_NAMES = {"round": _lazy("评选"), "case": _lazy("案例编号"), "user": _lazy("操作人")}


def _filter_id(request, name):
    """An id filter in any script's digits; junk is dropped with a message, never a 500."""
    try:
        return optional_id(request.GET.get(name))
    except IdentifierError:
        messages.error(
            request, _("筛选条件“%(name)s”无效，已忽略。") % {"name": FILTER_NAMES[name]}
        )
        return None


@login_required
def audit(request):
    """Staff read the trail; nobody edits it here (the page has no form that writes)."""
    if not request.user.has_perm("accounts.view_audit"):
        raise PermissionDenied
    model_label = request.GET.get("model", "")
    models = trail.tracked_models()
    if model_label not in {label for _, label, _ in models}:
        model_label = ""
    filters = trail.Filters(
        model_label=model_label,
        round_id=_filter_id(request, "round"),
        case_id=_filter_id(request, "case"),
        user_id=_filter_id(request, "user"),
    )
    try:
        number = optional_int(request.GET.get("page"), minimum=1, maximum=100_000) or 1
    except IdentifierError:
        number = 1
    found = trail.page(filters, number)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": found,
        "entries": found.entries,
        "models": models,
        "selected": model_label,
        "filters": filters,
        "rounds": trail.rounds(),
        "people": trail.people(),
        "query": query.urlencode(),
    }
    return render(request, "accounts/audit.html", context)


# --- A new browser while a stranger spends the username's attempts (accounts.device_links) --


def device_link_request(request):
    """Ask for the one-time link by username; the same answer whatever the username."""
    from . import device_links

    if request.method == "POST":
        username = unicodedata.normalize("NFKC", request.POST.get("username", ""))[:150]
        device_links.send_link(username)
        messages.info(
            request,
            _(
                "如该账号已登记邮箱，一次性确认链接已发往该邮箱（%(minutes)s 分钟内有效）。"
                "请用本浏览器打开链接。"
            )
            % {"minutes": device_links.LINK_TTL // 60},
        )
        return redirect("login")
    return render(request, "registration/device_link_request.html")


def device_link(request, token):
    """The link from the mail: a button (a mail scanner's GET spends nothing); its POST makes
    this browser one of the user's own, then the login page asks for the password."""
    from . import device_links, login_throttle

    user = device_links.user_for(token, spend=request.method == "POST")
    if user is None:
        return render(request, "registration/device_link.html", {"valid": False}, status=410)
    if request.method != "POST":
        return render(request, "registration/device_link.html", {"valid": True, "user": user})
    messages.success(request, _("本浏览器已确认为您的设备，请输入密码登录。"))
    response = redirect("login")
    login_throttle.remember_device(request, response, user.get_username())
    return response


@login_required
def own_data(request):
    """Officers, experts and staff read what their account holds about them (PIPL art. 45);
    corrections and closing the account go through the commission (the notice says how)."""
    return render(request, "accounts/own_data.html", {"account": request.user})


# --- The security audit: the auditor's pages ---------------------------------------------------


def _auditor_only(request):
    if not rules.test_rule("accounts.view_security_audit", request.user):
        raise PermissionDenied


def _date_filter(request, name, label):
    text = unicodedata.normalize("NFKC", request.GET.get(name, "")).strip()
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        messages.error(request, _("筛选条件“%(name)s”无效，已忽略。") % {"name": label})
        return None


def _security_filters(request):
    return security_audit.Filters(
        kind=request.GET.get("kind", ""),
        person=unicodedata.normalize("NFKC", request.GET.get("person", "")).strip()[:150],
        since=_date_filter(request, "since", _("开始日期")),
        until=_date_filter(request, "until", _("结束日期")),
    )


@login_required
def security_audit_page(request):
    """The auditor reads every security event (read-only: the page has no form that writes)."""
    _auditor_only(request)
    filters = _security_filters(request)
    paginator = Paginator(security_audit.events(filters), security_audit.PAGE_SIZE)
    try:
        number = optional_int(request.GET.get("page"), minimum=1, maximum=100_000) or 1
    except IdentifierError:
        number = 1
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": paginator.get_page(number),
        "filters": filters,
        "kinds": SecurityEvent.Kind.choices,
        "query": query.urlencode(),
    }
    return render(request, "accounts/security_audit.html", context)


@login_required
def security_audit_export(request):
    """The same events as an Excel file for the assessor; the export is itself audited."""
    _auditor_only(request)
    filters = _security_filters(request)
    content = security_audit.workbook_bytes(filters)
    security.record_export(request, "安全审计记录（Excel）")
    response = HttpResponse(
        content,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="security-audit.xlsx"'
    return response
