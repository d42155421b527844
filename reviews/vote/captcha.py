"""The captcha in front of every code sent (django-simple-captcha), in one place: how an answer
is checked, how many captchas an address may mint, the audio alternative, and the sweep.

- **One answer, one use.** django-simple-captcha reads the row and then deletes it, so parallel
  posts of one solved captcha all pass. Here a single DELETE decides: only the request whose
  DELETE removed the matching row passes; any answer, right or wrong, spends the captcha.
- **Minting costs.** Each page view of the phone form, each "换一张" and each audio reading
  counts against the address's ``captcha_ip`` and the block's ``captcha_block`` rates
  (reviews.vote.counters): an anonymous loop gets a 429, not thousands of rows.
- **Audio** (``CAPTCHA_FLITE_PATH``, Debian's ``flite``): the same letters read out, for those
  who cannot read the image. It is no cheaper for a script than the image: the same letters,
  counted against the same minting limit, spent by the same single answer.
- **The sweep** (core.recovery) deletes expired rows.
"""

from captcha import views as captcha_views
from captcha.conf import settings as captcha_settings
from captcha.fields import CaptchaField
from captcha.models import CaptchaStore
from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from .throttle import block_key, client_address, hit_limits, limited_response


def may_mint(request: HttpRequest) -> bool:
    """Count one new captcha (or one reading of it) for the request's address and block;
    False when either is over its rate."""
    return not hit_limits(
        request,
        [("captcha_ip", client_address(request)), ("captcha_block", block_key(None, request))],
    )


def spend(key: str, response: str) -> bool:
    """True when ``response`` answers the live captcha ``key``; the captcha is gone afterwards
    whatever the answer. One DELETE decides, so of parallel requests with the same answer
    only one passes (the row is deleted once)."""
    response = (response or "").strip().lower()
    matched, _per_model = CaptchaStore.objects.filter(
        hashkey=key, response=response, expiration__gt=timezone.now()
    ).delete()
    if not matched:
        CaptchaStore.objects.filter(hashkey=key).delete()  # a wrong answer spends it too
    return bool(matched)


class OneUseCaptchaField(CaptchaField):
    def clean(self, value):
        forms.MultiValueField.clean(self, value)  # required / incomplete, as the base does
        key, response = value[0], (value[1] or "").strip()
        value[1] = ""  # the form shows a new image, never the old answer
        if captcha_settings.CAPTCHA_TEST_MODE and response.lower() == "passed":
            CaptchaStore.objects.filter(hashkey=key).delete()
            return value
        if not spend(key, response):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return value


def sweep_expired(now=None) -> int:
    """The recovery sweep's step: expired captchas are deleted."""
    deleted, _per_model = CaptchaStore.objects.filter(
        expiration__lte=now or timezone.now()
    ).delete()
    return deleted


def refresh(request: HttpRequest) -> HttpResponse:
    """ "换一张" (static/js/captcha.js): a new captcha, within the minting limit."""
    if request.headers.get("x-requested-with") == "XMLHttpRequest" and not may_mint(request):
        return JsonResponse({"error": _("操作过于频繁，请稍后再试。")}, status=429)
    return captcha_views.captcha_refresh(request)


def audio(request: HttpRequest, key: str) -> HttpResponse:
    """The captcha read aloud (a WAV file made by flite); each reading counts as a mint."""
    if not captcha_settings.CAPTCHA_FLITE_PATH:
        return captcha_views.captcha_audio(request, key)  # a 404
    if not may_mint(request):
        return limited_response(request)
    return captcha_views.captcha_audio(request, key)
