"""Who votes: a phone proven with a one-time code, and the signed cookie that names the voter.

Plain functions with keyword-only arguments, called by the views, the tests and the demo.
The code's rules (expiry, few tries, one live code per phone) are conditional UPDATEs in the
database, so parallel guesses cannot get round them. A phone or a code, in whatever digits it
was typed, becomes ASCII (core.identifiers) before it is compared, stored, counted or sent.
"""

import hashlib
import hmac
import logging
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from core import identifiers

from ..models import PhoneCode, Voter
from . import budget
from .errors import VoteError
from .sms import SmsSendError, get_sender

logger = logging.getLogger(__name__)

CODE_TTL = timedelta(minutes=5)
CODE_LENGTH = 6
CODE_MAX_ATTEMPTS = 5
# A new code for the same phone no sooner than this: each code is a chance to guess.
CODE_RESEND_INTERVAL = timedelta(seconds=60)
# How long a verified phone stays verified in the browser (closing it ends it sooner).
VOTER_TTL = timedelta(hours=2)


def normalise_phone(raw) -> str:
    """The phone's 11 ASCII digits (full-width, Arabic-Indic, Devanagari … digits taken as
    theirs; ``²`` refused): one phone, one voter."""
    try:
        return identifiers.normalise_phone(raw)
    except identifiers.IdentifierError:
        raise VoteError(_("请输入 11 位中国大陆手机号码。")) from None


def normalise_code(raw) -> str:
    try:
        return identifiers.ascii_code(raw, length=CODE_LENGTH)
    except identifiers.IdentifierError:
        raise VoteError(_("请输入 %(length)s 位数字验证码。") % {"length": CODE_LENGTH}) from None


def hash_code(*, phone: str, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def request_code(
    *,
    phone: str,
    ip: str | None = None,
    requester: str | None = None,
    now: datetime | None = None,
) -> PhoneCode:
    """Create a one-time code for ``phone``, send it and keep only its hash.

    Only the vote's phone page calls this, after its captcha. The code counts against the SMS
    budget (reviews.vote.budget: site-wide, per phone and ``requester``, per phone) only once
    it is sent; a refused or failed request costs nothing."""
    now = now or timezone.now()
    phone = normalise_phone(phone)
    code = f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"
    reservation = None
    try:
        with transaction.atomic():
            # The resend interval is read and the new code written under the phone's lock:
            # without it, parallel requests all read "no recent code" and all send one.
            _lock_phone(phone)
            latest = PhoneCode.objects.filter(phone=phone).order_by("-created_at").first()
            if latest and latest.created_at > now - CODE_RESEND_INTERVAL:
                raise VoteError(
                    _("验证码已发送，请 %(seconds)s 秒后再试。")
                    % {"seconds": CODE_RESEND_INTERVAL.seconds}
                )
            reservation = budget.reserve(phone=phone, requester=requester or ip or "", now=now)
            # Only the newest code counts: earlier unused ones stop working.
            PhoneCode.objects.filter(phone=phone, used_at__isnull=True).update(used_at=now)
            record = PhoneCode.objects.create(
                phone=phone,
                code_hash=hash_code(phone=phone, code=code),
                created_at=now,
                expires_at=now + CODE_TTL,
                ip=ip or None,
            )
        get_sender().send(phone=phone, code=code, minutes=int(CODE_TTL.total_seconds() // 60))
    except SmsSendError as exc:
        # Not sent: no code stands, nothing is counted, the voter may ask again at once.
        budget.release(reservation)
        PhoneCode.objects.filter(pk=record.pk).delete()
        logger.warning("SMS not sent to %s: %s", identifiers.mask_phone(phone), exc.detail)
        raise VoteError(str(exc.message)) from None
    except BaseException:
        if reservation is not None:
            budget.release(reservation)
        raise
    return record


def _lock_phone(phone: str) -> None:
    """Serialise code requests for one phone until the transaction ends. PostgreSQL: an
    advisory lock on the phone (there may be no row to lock yet). SQLite: every transaction
    is IMMEDIATE (settings), so writers already take turns."""
    if connection.vendor == "postgresql":
        key = int.from_bytes(hashlib.sha256(f"phone-code:{phone}".encode()).digest()[:8], "big")
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key - 2**63])


def verify_code(*, phone: str, code: str, now: datetime | None = None) -> Voter:
    """Check a code; on success return the (now verified) voter. Each try counts."""
    now = now or timezone.now()
    phone = normalise_phone(phone)
    code = normalise_code(code)
    record = (
        PhoneCode.objects.filter(phone=phone, used_at__isnull=True).order_by("-created_at").first()
    )
    if record is None or record.expires_at <= now:
        raise VoteError(_("验证码已失效，请重新获取。"))
    # Count the attempt before comparing, with a conditional UPDATE: parallel guesses cannot
    # get more than CODE_MAX_ATTEMPTS tries between them.
    counted = PhoneCode.objects.filter(
        pk=record.pk, attempts__lt=CODE_MAX_ATTEMPTS, used_at__isnull=True
    ).update(attempts=F("attempts") + 1)
    if not counted:
        raise VoteError(_("验证码错误次数过多，请重新获取。"))
    if not constant_time_compare(record.code_hash, hash_code(phone=phone, code=code)):
        left = CODE_MAX_ATTEMPTS - record.attempts - 1
        if left <= 0:
            raise VoteError(_("验证码错误次数过多，请重新获取。"))
        raise VoteError(_("验证码不正确，还可尝试 %(left)s 次。") % {"left": left})
    if not PhoneCode.objects.filter(pk=record.pk, used_at__isnull=True).update(used_at=now):
        raise VoteError(_("验证码已使用，请重新获取。"))
    digest = identifiers.phone_digest(phone)
    voter = find_voter(phone)
    if voter is None:
        voter, _created = Voter.objects.get_or_create(phone_hash=digest, defaults={"phone": phone})
    # A returning voter whose phone was minimised gives it again, with a new consent (the
    # phone page's checkbox); it is minimised again with the rounds it now takes part in.
    Voter.objects.filter(pk=voter.pk).update(
        verified_at=now, phone=phone, phone_hash=digest, minimised_at=None
    )
    voter.verified_at, voter.phone, voter.phone_hash, voter.minimised_at = now, phone, digest, None
    return voter


def find_voter(phone: str) -> Voter | None:
    """The voter of a normalised phone: by its keyed hash (which outlives the minimised
    number), or by the number itself (rows written without the hash, such as bulk loads)."""
    digest = identifiers.phone_digest(phone)
    return (
        Voter.objects.filter(phone_hash=digest).first() or Voter.objects.filter(phone=phone).first()
    )


# The verified voter is a signed cookie, not a session entry: the vote, the hottest request
# of the site, then checks an HMAC in process instead of loading a session from the cache or
# the database (bench/bench_votes.py). Signed with SECRET_KEY and its own salt, so it cannot be
# forged or taken from another signed value; the signature's timestamp bounds it to
# VOTER_TTL; it lives until the browser closes, like the session. Only ``remember_voter``
# writes it, right after ``verify_code`` proved the phone.
#
# It names the voter and the voter's token version ("42.3"; "42", as written before versions,
# is version 0). The vote writes nothing unless the version is still the voter's
# (reviews.vote.casting, in the same statement), so adding one to Voter.token_version
# ("更换手机号", staff) revokes every cookie issued before, copies included.
VOTER_COOKIE = "voter"
VOTER_COOKIE_SALT = "reviews.voting.voter"  # its first module's name: cookies in the wild


def voter_cookie(voter_id: int, token_version: int = 0) -> str:
    """The signed cookie value that names a verified voter."""
    return signing.get_cookie_signer(salt=VOTER_COOKIE + VOTER_COOKIE_SALT).sign(
        f"{voter_id}.{token_version}"
    )


def remember_voter(response, voter: Voter) -> None:
    response.set_cookie(
        VOTER_COOKIE,
        voter_cookie(voter.pk, voter.token_version),
        path=reverse("vote:index"),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def forget_voter(response) -> None:
    response.delete_cookie(VOTER_COOKIE, path=reverse("vote:index"), samesite="Lax")


def request_voter_token(request) -> tuple[int, int] | None:
    """(voter id, token version) from the request's cookie while its signature is fresh; read
    once per request (the rate limit and the view both ask). Whether the version is still
    the voter's is for the vote (or ``request_voter``) to check."""
    try:
        return request._voter_token
    except AttributeError:
        pass
    value = request.get_signed_cookie(
        VOTER_COOKIE,
        default=None,
        salt=VOTER_COOKIE_SALT,
        max_age=VOTER_TTL.total_seconds(),
    )
    token = None
    if value is not None:
        voter_id, _dot, version = value.partition(".")
        # Our own signed text: ASCII digits, unless SECRET_KEY leaked.
        if voter_id.isascii() and voter_id.isdigit() and (not version or version.isdigit()):
            token = (int(voter_id), int(version or 0))
    request._voter_token = token
    return token


def request_voter_id(request) -> int | None:
    token = request_voter_token(request)
    return None if token is None else token[0]


def request_voter(request) -> Voter | None:
    """The verified voter, unless the cookie was revoked since."""
    token = request_voter_token(request)
    if token is None:
        return None
    return Voter.objects.filter(pk=token[0], token_version=token[1]).first()


def revoke_own_token(request) -> bool:
    """ "更换手机号": the cookie's voter gets a new token version, so this cookie and every copy
    of it vote nothing more. True when a fresh cookie was revoked."""
    token = request_voter_token(request)
    if token is None:
        return False
    voter_id, version = token
    return bool(
        Voter.objects.filter(pk=voter_id, token_version=version).update(
            token_version=F("token_version") + 1
        )
    )


def revoke_voters(*, voter_ids, user, reason: str) -> int:
    """Staff: revoke the cookies of these voters (their next vote asks them to verify their
    phone again); each change is recorded in the audit trail with ``reason``."""
    reason = (reason or "").strip()
    if not reason:
        raise VoteError(_("请填写吊销原因。"))
    n = 0
    with transaction.atomic():
        for voter in Voter.objects.select_for_update().filter(pk__in=list(voter_ids)):
            voter.token_version += 1
            voter._history_user = user
            voter._change_reason = (_("吊销投票凭证：%(reason)s") % {"reason": reason})[:100]
            voter.save(update_fields=["token_version"])
            n += 1
    return n
