"""A captcha before any code is sent (issue #13), on every path, in every method and body; its
letters Latin, its words Chinese, its refresh without inline script; its test mode never on
outside the tests."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from captcha.conf import settings as captcha_settings
from captcha.models import CaptchaStore
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from reviews.factories import CaseFactory, RoundFactory
from reviews.models import PhoneCode

ROOT = Path(__file__).resolve().parents[2]
PHONE = "13800138000"


# The memory SMS sender and clean rate limits (tests/vote/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sms")]


@pytest.fixture
def real_captcha(monkeypatch):
    """The captcha as it runs on the site: "PASSED" is just a wrong answer."""
    monkeypatch.setattr(captcha_settings, "CAPTCHA_TEST_MODE", False)


def captcha_on(page: str) -> tuple[str, str]:
    """The key a page's captcha carries and its answer (read from the store, as a person
    reads the image)."""
    key = re.search(r'name="captcha_0" value="([0-9a-f]+)"', page).group(1)
    return key, CaptchaStore.objects.get(hashkey=key).response


def vote_urls(round_, case):
    """Every URL of the vote (the resolver's own list), the captcha's, and locale forms."""
    urls = []
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and pattern.namespace == "vote":
            for inner in pattern.url_patterns:
                if isinstance(inner, URLPattern):
                    args = [round_.pk, case.pk][: len(inner.pattern.converters)]
                    urls.append(reverse(f"vote:{inner.name}", args=args))
    assert reverse("vote:phone") in urls and len(urls) >= 7
    phone = reverse("vote:phone")
    return [*urls, reverse("captcha-refresh"), "/en" + phone, "/zh-hans" + phone, phone + "?x=1"]


def test_no_code_is_sent_without_a_solved_captcha_on_any_path(real_captcha, sms, settings):
    settings.VOTE_RATELIMITS = {"code_ip": "100000/h", "code_block": "100000/h"}
    round_ = RoundFactory()
    case = CaseFactory(round=round_)
    client = Client()
    key, answer = captcha_on(client.get(reverse("vote:phone")).content.decode())
    wrong = "x" if answer != "x" else "y"
    bodies = [
        {"phone": PHONE},
        {"phone": PHONE, "captcha_0": key, "captcha_1": ""},
        {"phone": PHONE, "captcha_0": key, "captcha_1": "PASSED"},
        {"phone": PHONE, "captcha_0": key, "captcha_1": wrong},
        {"phone": PHONE, "captcha_0": "", "captcha_1": answer},
    ]
    tried = 0
    for url in vote_urls(round_, case):
        for method in ("get", "post", "put", "patch", "delete"):
            for body in bodies:
                send = getattr(client, method)
                send(url, body, HTTP_ACCEPT="application/json")
                tried += 1
                if method != "get":  # a GET has no body
                    send(url, json.dumps(body), content_type="application/json")
                    tried += 1
    assert tried > 300
    assert sms.outbox == [] and not PhoneCode.objects.exists()


def test_a_solved_captcha_sends_the_code_once(real_captcha, sms):
    client = Client()
    key, answer = captcha_on(client.get(reverse("vote:phone")).content.decode())
    response = client.post(
        reverse("vote:phone"),
        {"phone": PHONE, "captcha_0": key, "captcha_1": answer.upper(), "consent": "on"},
    )
    assert response.status_code == 302 and sms.last_code(PHONE)
    # The same answer does not serve a second time (another phone: no resend interval).
    again = client.post(
        reverse("vote:phone"),
        {"phone": "13900139000", "captcha_0": key, "captcha_1": answer, "consent": "on"},
    )
    assert again.status_code == 200 and "图形验证码不正确" in again.content.decode()
    assert [item["phone"] for item in sms.outbox] == [PHONE]


def test_its_letters_are_latin_and_its_words_chinese(real_captcha, client):
    for _ in range(20):
        challenge = CaptchaStore.objects.get(hashkey=CaptchaStore.generate_key()).challenge
        assert re.fullmatch(r"[A-Za-z]{4,}", challenge), challenge
    page = client.get(reverse("vote:phone")).content.decode()
    for words in ("图形验证码", "请输入图中的英文字母", "看不清？换一张"):
        assert words in page
    response = client.post(reverse("vote:phone"), {"phone": PHONE, "captcha_0": "k"})
    assert "请输入图形验证码" in response.content.decode()


def test_its_refresh_link_needs_no_inline_script(client):
    page = client.get(reverse("vote:phone")).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)  # every script is a file
    assert (
        'src="/static/js/captcha.js"' in page and 'data-captcha-refresh="/captcha/refresh/"' in page
    )
    script = (ROOT / "static" / "js" / "captcha.js").read_text()
    assert "X-Requested-With" in script and "captcha_0" in script
    # What the script asks for: a new key and its image.
    fresh = client.get(reverse("captcha-refresh"), HTTP_X_REQUESTED_WITH="XMLHttpRequest").json()
    assert CaptchaStore.objects.filter(hashkey=fresh["key"]).exists()
    image = client.get(fresh["image_url"])
    assert image.status_code == 200 and image["Content-Type"] == "image/png"


def test_the_test_mode_is_off_outside_the_tests():
    probe = "import django; django.setup(); from captcha.conf import settings; "
    probe += "print(settings.CAPTCHA_TEST_MODE)"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env["DJANGO_SETTINGS_MODULE"] = "bizenv.settings"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "False"
    assert "CAPTCHA_TEST_MODE" not in (ROOT / "bizenv" / "settings.py").read_text()


def test_an_address_draws_only_so_many_captchas_by_any_path(real_captcha, client, settings):
    """Page views, "换一张" and the audio share one limit per address; another address is
    not held up."""
    settings.VOTE_RATELIMITS = {"captcha_ip": "4/h"}
    xhr = {"HTTP_X_REQUESTED_WITH": "XMLHttpRequest"}
    assert client.get(reverse("vote:phone")).status_code == 200
    assert client.post(reverse("vote:phone"), {"phone": PHONE}).status_code == 200
    assert client.get(reverse("captcha-refresh"), **xhr).status_code == 200
    key = CaptchaStore.objects.order_by("-pk").first().hashkey
    assert client.get(reverse("captcha-audio", args=[key])).status_code == 200
    drawn = CaptchaStore.objects.count()
    assert client.get(reverse("vote:phone")).status_code == 429
    assert client.post(reverse("vote:phone"), {"phone": PHONE}).status_code == 429
    assert client.get(reverse("captcha-refresh"), **xhr).status_code == 429
    assert client.get(reverse("captcha-audio", args=[key])).status_code == 429
    assert CaptchaStore.objects.count() == drawn == 3
    other = client.get(reverse("vote:phone"), REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 200 and CaptchaStore.objects.count() == drawn + 1


def test_the_recovery_sweep_deletes_expired_captchas(real_captcha):
    from datetime import timedelta

    from django.utils import timezone

    from core.recovery import recover_pending_work

    fresh = CaptchaStore.generate_key()
    stale = CaptchaStore.generate_key()
    CaptchaStore.objects.filter(hashkey=stale).update(
        expiration=timezone.now() - timedelta(seconds=1)
    )
    assert recover_pending_work()["captchas"] == 1
    assert list(CaptchaStore.objects.values_list("hashkey", flat=True)) == [fresh]


def test_the_image_is_legible_on_a_phone(real_captcha, client):
    from io import BytesIO

    from PIL import Image

    page = client.get(reverse("vote:phone")).content.decode()
    key, _answer = captcha_on(page)
    assert f'srcset="/captcha/image/{key}@2/ 2x"' in page and "看不清？换一张" in page
    small = Image.open(BytesIO(client.get(reverse("captcha-image", args=[key])).content))
    large = Image.open(BytesIO(client.get(reverse("captcha-image-2x", args=[key])).content))
    assert small.size[1] >= 60  # letters twice the height they had (an image about 30 px high)
    assert large.size[1] >= 2 * small.size[1] - 4  # dense phone screens get twice the pixels


def test_the_audio_reads_the_same_captcha_and_spends_with_it(real_captcha, client, monkeypatch):
    import shutil

    flite = shutil.which("flite")
    assert flite, "flite not installed: run scripts/system-packages.sh"
    monkeypatch.setattr(captcha_settings, "CAPTCHA_FLITE_PATH", flite)
    page = client.get(reverse("vote:phone")).content.decode()
    key, answer = captcha_on(page)
    assert (
        f'<audio controls preload="none" class="captcha-audio" src="/captcha/audio/{key}.wav"'
        in page
    )
    sound = client.get(reverse("captcha-audio", args=[key]))
    assert sound.status_code == 200 and sound["Content-Type"] == "audio/wav"
    assert b"".join(sound.streaming_content if sound.streaming else [sound.content])[:4] == b"RIFF"
    refreshed = client.get(reverse("captcha-refresh"), HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert refreshed.json()["audio_url"] == f"/captcha/audio/{refreshed.json()['key']}.wav"
    # A wrong answer spends the captcha: its audio is gone with it.
    client.post(reverse("vote:phone"), {"phone": PHONE, "captcha_0": key, "captcha_1": "zz"})
    assert client.get(reverse("captcha-audio", args=[key])).status_code == 410
    monkeypatch.setattr(captcha_settings, "CAPTCHA_FLITE_PATH", None)
    assert "<audio" not in client.get(reverse("vote:phone")).content.decode()
