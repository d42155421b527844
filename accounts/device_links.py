"""The owner's way in while a stranger spends their username's login attempts: a one-time link
by e-mail that makes this browser one of the user's own (accounts.login_throttle's device
cookie), so the per-username throttle lets it through at once. It does not log anyone in:
the password is still asked for, and django-axes still counts per address.

- Asked for on the login page with the username only; the answer is the same whether or not
  the username exists or has an e-mail address (nothing to learn about accounts), and one
  mail at most per username per ``SEND_INTERVAL``.
- The link lives ``LINK_TTL``, works once (a mark in the shared cache), and stops working
  once the user logs in or changes the password (it carries a digest of both).
- Following it shows a button; only its POST marks the browser: a mail scanner that fetches
  the link spends nothing.
"""

import hashlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.cache import cache
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

LINK_SALT = "accounts.device_links"
LINK_TTL = 30 * 60  # seconds
SEND_INTERVAL = 10 * 60  # seconds between two links for one username


def _state(user) -> str:
    """Changes when the user logs in or changes the password: the link then stops working."""
    return salted_hmac(LINK_SALT, f"{user.pk}|{user.password}|{user.last_login}").hexdigest()[:32]


def make_token(user) -> str:
    return signing.dumps({"u": user.pk, "s": _state(user)}, salt=LINK_SALT, compress=True)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def send_link(username: str) -> bool:
    """Mail a link to the user named ``username``, if there is one with an address and no link
    went out in the last ``SEND_INTERVAL``. True when a mail was sent (the caller says the
    same either way)."""
    username = (username or "").strip()
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None or not user.email:
        return False
    if not cache.add(f"login-link-sent:{_digest(username)}", 1, SEND_INTERVAL):
        return False
    url = settings.SITE_URL.rstrip("/") + reverse("device_link", args=[make_token(user)])
    minutes = LINK_TTL // 60
    send_mail(
        _("【营商环境案例评选】在新设备上登录"),
        _(
            "您好：\n\n有人（希望是您本人）请求在一台新的浏览器上登录账号“%(username)s”。"
            "打开下面的链接并点击按钮后，该浏览器即可用密码登录，不受他处登录失败的限制：\n\n"
            "%(url)s\n\n链接 %(minutes)s 分钟内有效，只能使用一次。如非本人操作，请忽略本邮件，"
            "并联系市发改委管理员。"
        )
        % {"username": username, "url": url, "minutes": minutes},
        None,
        [user.email],
    )
    return True


def user_for(token: str, *, spend: bool):
    """The user a live link names, or None; ``spend`` uses the link up (once only)."""
    try:
        data = signing.loads(token, salt=LINK_SALT, max_age=LINK_TTL)
        user = get_user_model().objects.filter(pk=int(data["u"]), is_active=True).first()
        state = str(data["s"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    if user is None or not constant_time_compare(state, _state(user)):
        return None
    used = f"login-link-used:{_digest(token)}"
    if spend:
        return user if cache.add(used, 1, LINK_TTL) else None
    return None if cache.get(used) else user
