"""The second step of a login (accounts.two_factor): enrolment with a QR code at the first
login, a code from the authenticator or a backup code afterwards."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from . import security, two_factor
from .models import SecurityEvent


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_lazy("验证码"),
        max_length=40,
        help_text=_lazy("身份验证器上显示的6位数字，或一个备用验证码。"),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


def _next(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    # A path on this site only (never a view name: redirect() would try to reverse it).
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url("accounts:home")


@login_required
def two_factor_step(request):
    user = request.user
    if not two_factor.required(user) or two_factor.is_verified(request):
        return redirect(_next(request))
    device = two_factor.confirmed_device(user)
    if device is None:
        return _enrol(request, user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        found = two_factor.verify(user, form.cleaned_data["token"])
        if found is not None:
            two_factor.mark_verified(request, user)
            backup = found.persistent_id.startswith("otp_static")
            security.record(
                SecurityEvent.Kind.OTP_VERIFIED,
                request=request,
                detail=("备用验证码" if backup else "身份验证器"),
            )
            if backup:
                messages.warning(
                    request,
                    _("已使用一个备用验证码，还剩 %(n)s 个。")
                    % {"n": two_factor.backup_codes_left(user)},
                )
            return redirect(_next(request))
        security.record(
            SecurityEvent.Kind.OTP_FAILED,
            request=request,
            outcome=SecurityEvent.Outcome.FAILURE,
            detail="验证码错误",
        )
        form.add_error("token", _("验证码不正确或已使用过，请重新输入。"))
    context = {"form": form, "next": _next(request)}
    return render(request, "accounts/two_factor_verify.html", context, status=200)


def _enrol(request, user):
    device = two_factor.enrolling_device(user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.confirm_enrolment(user, device, form.cleaned_data["token"])
        if codes is not None:
            two_factor.mark_verified(request, user)
            security.record(SecurityEvent.Kind.OTP_ENROLLED, request=request)
            context = {"codes": codes, "next": _next(request)}
            return render(request, "accounts/two_factor_codes.html", context)
        security.record(
            SecurityEvent.Kind.OTP_FAILED,
            request=request,
            outcome=SecurityEvent.Outcome.FAILURE,
            detail="启用时验证码错误",
        )
        form.add_error("token", _("验证码不正确，请核对手机时间后重新输入。"))
    context = {
        "form": form,
        "qr": two_factor.qr_data_uri(device),
        "secret": two_factor.secret_text(device),
        "next": _next(request),
    }
    return render(request, "accounts/two_factor_setup.html", context)
