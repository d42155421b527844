"""Two-factor login (等保 2.0 level 3 for administrators): a password, then a code from an
authenticator app (TOTP, django-otp) or one of ten backup codes.

Who must: superusers, accounts with admin access (``is_staff``) and the roles listed in
``TWO_FACTOR_ROLES`` (staff and auditor by default; add ``expert`` or ``officer`` to ask them
too). The demo accounts are exempt only outside production (the embedded demo of
``make run``); core.deployment refuses production settings that leave staff out.

The password login is Django's own; until the second factor is passed in that session,
``TwoFactorMiddleware`` sends every page to ``two_factor`` (enrolment with a QR code at the
first login, a code afterwards). The session then carries ``VERIFIED_KEY`` = the user's id.
"""

import unicodedata

import segno
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

VERIFIED_KEY = "two_factor_verified"
BACKUP_CODES = 10
# What a signed-in user may open before the second factor.
ALLOWED_BEFORE = {"two_factor", "logout", "admin:logout"}


def required_roles():
    return set(getattr(settings, "TWO_FACTOR_ROLES", ["staff", "auditor"]))


def required(user) -> bool:
    if not user.is_authenticated:
        return False
    if user.demo_account and not settings.PRODUCTION:
        return False
    return user.is_superuser or user.is_staff or user.role in required_roles()


def is_verified(request) -> bool:
    return request.session.get(VERIFIED_KEY) == request.user.pk


def mark_verified(request, user):
    request.session[VERIFIED_KEY] = user.pk


def confirmed_device(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def enrolling_device(user):
    """The unconfirmed authenticator of an enrolment under way (one per user)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=False)
    return device


def qr_data_uri(device) -> str:
    return segno.make(device.config_url, error="m").svg_data_uri(scale=4, border=2)


def secret_text(device) -> str:
    """The key as authenticator apps take it when typed (Base32, in groups of four)."""
    from base64 import b32encode

    raw = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def clean_token(token) -> str:
    """Codes typed in any digits or widths, with spaces or dashes, to their plain form."""
    text = unicodedata.normalize("NFKC", str(token or ""))
    return "".join(ch for ch in text if ch.isascii() and ch.isalnum()).lower()


def verify(user, token):
    """The device that accepts ``token`` (the authenticator, then a backup code), or None.
    django-otp throttles each device after failures and refuses a code used before."""
    token = clean_token(token)
    if not token:
        return None
    with transaction.atomic():
        devices = [
            *TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True),
            *StaticDevice.objects.select_for_update().filter(user=user, confirmed=True),
        ]
        for device in devices:
            allowed, _ = device.verify_is_allowed()
            if allowed and device.verify_token(token):
                return device
    return None


def confirm_enrolment(user, device, token):
    """Confirm the authenticator with its first code; returns the new backup codes, or None
    when the code is wrong."""
    if not device.verify_token(clean_token(token)):
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed", "last_t"])
        return new_backup_codes(user)


def new_backup_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name="备用验证码", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=static, token=code) for code in codes)
    return codes


def reset(user):
    """Remove a user's authenticator and backup codes: they enrol again at the next login."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


class TwoFactorMiddleware:
    """Until the second factor is passed, a signed-in user who needs it reaches only the
    second-factor page and logout. Sessions without a login (the public, voters) skip it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if SESSION_KEY not in request.session:
            return None
        user = request.user
        if not required(user) or is_verified(request):
            return None
        if request.resolver_match.view_name in ALLOWED_BEFORE:
            return None
        target = reverse("two_factor")
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return redirect(target)
