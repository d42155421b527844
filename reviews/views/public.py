"""The public vote: the round's cases, a case's full text, proving a phone, casting a vote."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.decorators.vary import vary_on_cookie
from django_ratelimit.decorators import ratelimit

from cases.models import Case, Round
from core.identifiers import mask_phone
from core.text import quoted

from ..forms import CodeForm, PhoneForm
from ..vote import captcha, casting, identity, ledger, snapshots
from ..vote.errors import CodeLimitReached, StaleVoter, VoteError
from ..vote.throttle import block_key, client_address, limited_response, rate, vote_ratelimit

PENDING_PHONE_KEY = "reviews_pending_phone"
# The vote a voter tapped before proving a phone: [round pk, case pk], kept in the session
# (server side) so that the verification ends at that case again. Never read from the URL:
# a crafted link must not be able to put a case in front of the voter as "the one you chose".
PENDING_VOTE_KEY = "reviews_pending_vote"
# A message meant for one case's card carries these tags; base.html leaves it to the card.
CARD_TAG = "at-card"


S = Round.Status
# Rounds whose vote has been closed (monitor.close_vote): their vote pages stay readable, say
# that the vote has ended and show each case's counted and voided votes; casting is refused
# (casting.record_vote).
VOTE_ENDED = (S.REVIEW, S.APPROVED, S.PUBLICITY, S.PUBLISHED)


def _vote_round(pk) -> Round:
    return get_object_or_404(Round, pk=pk, status__in=(S.VOTING, *VOTE_ENDED))


def _vote_context(request, round_: Round) -> dict:
    ended = round_.status in VOTE_ENDED
    voter = None if ended else identity.request_voter(request)
    return {
        "round": round_,
        "voter": voter,
        "status": casting.voter_status(round_, voter),
        "is_open": not ended and casting.is_vote_open(round_),
        "vote_ended": ended,
    }


def _with_figures(round_: Round, cases: list) -> dict:
    """Each case's counted (valid) and voided votes, on the case; the round's totals."""
    figures = ledger.closed_figures(round_)  # computed when the vote was closed
    for case in cases:
        case.votes_counted, case.votes_voided = figures.get(case.pk, (0, 0))
    return {
        "counted": sum(case.votes_counted for case in cases),
        "voided": sum(case.votes_voided for case in cases),
    }


def _next_url(request, default):
    target = request.POST.get("next") or request.GET.get("next")
    # A path of this site only: redirect() takes "12345" or "foo" for a URL name and fails
    # to reverse it (a 500), and url_has_allowed_host_and_scheme accepts them as relative.
    if (
        target
        and target.startswith("/")
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return target
    return default


def _card_anchor(case_pk) -> str:
    return f"#vote-case-{case_pk}"


def _to_card(url: str, case_pk) -> str:
    """``url`` scrolled to the case's card: a phone shows the answer where the voter tapped."""
    return url.split("#", 1)[0] + _card_anchor(case_pk)


def _card_message(request, level, text, case_pk):
    messages.add_message(request, level, text, extra_tags=f"{CARD_TAG} case-{case_pk}")


def _attach_card_messages(request, cases) -> None:
    """Hand each case its card's messages (``case.card_messages``); the others stay for the
    top of the page."""
    by_case = {}
    for message in messages.get_messages(request):
        tags = (message.extra_tags or "").split()
        if CARD_TAG in tags:
            for tag in tags:
                if tag.startswith("case-"):
                    by_case.setdefault(tag[5:], []).append(message)
    for case in cases:
        case.card_messages = by_case.get(str(case.pk), [])


def _url_for(name: str, round_pk: int):
    """``pk -> URL`` of a round's case page or vote action, reversed once rather than once per
    card (reverse() cost more than the rest of a 120-case page's card)."""
    sample = reverse(name, args=[round_pk, 2147483647])
    head, tail = sample.rsplit("2147483647", 1)
    return lambda pk: f"{head}{pk}{tail}"


def _attach_urls(round_pk: int, cases) -> None:
    """``case.page_url`` and ``case.cast_url`` for the cards."""
    page, cast = _url_for("vote:case", round_pk), _url_for("vote:cast", round_pk)
    for case in cases:
        case.page_url, case.cast_url = page(case.pk), cast(case.pk)


def index(request: HttpRequest) -> HttpResponse:
    rounds = list(casting.voting_rounds())
    if len(rounds) == 1:
        return redirect("vote:round", pk=rounds[0].pk)
    # No vote open: the last closed vote's counts, and its 公示 or the archive, where it went.
    ended = None
    if not rounds:
        ended = Round.objects.filter(status__in=VOTE_ENDED).order_by("-year", "-id").first()
    return render(request, "reviews/vote_index.html", {"rounds": rounds, "ended": ended})


@vary_on_cookie  # the voter's cookie changes the page (votes left, buttons)
def round_page(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = _vote_round(pk)
    context = _vote_context(request, round_)
    if context["vote_ended"]:
        cases = list(casting.voted_cases(round_))
        context["totals"] = _with_figures(round_, cases)
    else:
        cases = casting.vote_cases(round_)
        context["vote_counts"] = snapshots.attach_public_counts(round_, cases)
    cases = list(cases)
    _attach_card_messages(request, cases)
    _attach_urls(round_.pk, cases)
    context["cases"] = cases
    return render(request, "reviews/vote_round.html", context)


@vary_on_cookie
def case_page(request: HttpRequest, round_pk: int, pk: int) -> HttpResponse:
    round_ = _vote_round(round_pk)
    context = _vote_context(request, round_)
    statuses = casting.IN_THE_VOTE if context["vote_ended"] else (Case.Status.ACCEPTED,)
    case = get_object_or_404(
        Case.objects.select_related("district", "topic"),
        pk=pk,
        round=round_,
        status__in=statuses,
    )
    if context["vote_ended"]:
        _with_figures(round_, [case])
    else:
        context["vote_counts"] = snapshots.attach_public_counts(round_, [case])
    _attach_card_messages(request, [case])
    _attach_urls(round_.pk, [case])
    context.update(case=case, key_figures=case.key_figures.all())
    return render(request, "reviews/vote_case.html", context)


@ratelimit(key="ip", rate=rate("code_ip"), method="POST", block=False)
@ratelimit(key=block_key, rate=rate("code_block"), method="POST", block=False)
def phone(request: HttpRequest) -> HttpResponse:
    """The one page that sends a code: only a POST whose form (with its captcha) is valid
    reaches ``identity.request_code``; other methods and bodies only show the form."""
    next_url = _next_url(request, reverse("vote:index"))
    form = PhoneForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if getattr(request, "limited", False):
            return limited_response(request)
        if form.is_valid():
            try:
                identity.request_code(
                    phone=form.cleaned_data["phone"],
                    ip=request.META.get("REMOTE_ADDR"),
                    requester=client_address(request),
                )
            except CodeLimitReached as exc:
                form.add_error(None, str(exc))
                status = 429
            except VoteError as exc:
                form.add_error("phone", str(exc))
            else:
                request.session[PENDING_PHONE_KEY] = form.cleaned_data["phone"]
                messages.info(request, _("验证码已发送，5 分钟内有效。"))
                return redirect(reverse("vote:verify") + "?next=" + next_url)
    # The page draws a new captcha: within the address's minting limit (reviews.vote.captcha).
    if not captcha.may_mint(request):
        return limited_response(request)
    context = {"form": form, "next": next_url}
    return render(request, "reviews/vote_phone.html", context, status=status)


@ratelimit(key="ip", rate=rate("verify_ip"), method="POST", block=False)
def verify(request: HttpRequest) -> HttpResponse:
    next_url = _next_url(request, reverse("vote:index"))
    phone_number = request.session.get(PENDING_PHONE_KEY)
    if not phone_number:
        return redirect(reverse("vote:phone") + "?next=" + next_url)
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if getattr(request, "limited", False):
            return limited_response(request)
        if form.is_valid():
            try:
                voter = identity.verify_code(phone=phone_number, code=form.cleaned_data["code"])
            except VoteError as exc:
                form.add_error("code", str(exc))
            else:
                request.session.pop(PENDING_PHONE_KEY, None)
                response = redirect(_after_verification(request, next_url))
                identity.remember_voter(response, voter)
                return response
    return render(
        request,
        "reviews/vote_verify.html",
        {"form": form, "next": next_url, "masked": mask_phone(phone_number)},
    )


def _after_verification(request, next_url) -> str:
    """Where a freshly verified voter goes: back to the case they tapped (remembered in the
    session by ``cast``), its vote offered again in its card; else ``next_url``."""
    pending = request.session.pop(PENDING_VOTE_KEY, None)
    case = None
    if isinstance(pending, list) and len(pending) == 2:
        case = casting.vote_target(round_pk=pending[0], case_pk=pending[1])
    if case is None:
        messages.success(request, _("手机号验证成功，现在可以投票了。"))
        return next_url
    # The tap before verifying did not count: say so, in the card, at that moment.
    text = _("验证成功，请再次点击投票：您选择的%(title)s在此，尚未投出。") % {
        "title": quoted(case.title)
    }
    _card_message(request, messages.SUCCESS, text, case.pk)
    case_url = reverse("vote:case", args=[pending[0], case.pk])
    # Back to the page the voter tapped on if it shows that case; else the round's list.
    target = case_url if next_url == case_url else reverse("vote:round", args=[pending[0]])
    return _to_card(target, case.pk)


def _wants_json(request) -> bool:
    # The vote page's script (static/js/vote.js) asks for JSON; a plain form post gets HTML.
    # META, not request.headers, which copies every header on first use (the vote path).
    return "application/json" in request.META.get("HTTP_ACCEPT", "")


@require_POST
@vote_ratelimit
def cast(request: HttpRequest, round_pk: int, pk: int) -> HttpResponse:
    """Cast one vote. The rules live in ``casting.record_vote``; this view only translates.

    Without JavaScript: a form post, answered with a message and a redirect. With it, the
    page posts with ``Accept: application/json`` and gets ``{"ok", "message", "votes_left",
    "count"}`` (no message storage, no redirect, no second page load).
    """
    as_json = _wants_json(request)
    if getattr(request, "limited", False):
        if as_json:
            return JsonResponse(
                {"ok": False, "message": _("操作过于频繁，请稍后再试。")}, status=429
            )
        return limited_response(request)

    def next_url():  # only where a page answers: the JSON answer needs no URL
        return _next_url(request, reverse("vote:round", args=[round_pk]))

    token = identity.request_voter_token(request)
    if token is None:
        target = casting.vote_target(round_pk=round_pk, case_pk=pk)
        if target is None:
            raise Http404
        request.session[PENDING_VOTE_KEY] = [round_pk, pk]
        return _verify_first(request, _("请先验证手机号，再投票。"), next_url(), as_json)
    try:
        # The hot path: the case, its round, the voter's token version and the vote in one
        # round trip.
        vote = casting.record_vote(
            round_pk=round_pk,
            case_pk=pk,
            voter_id=token[0],
            token_version=token[1],
            ip=request.META.get("REMOTE_ADDR"),
        )
    except casting.VoteTargetMissing:
        raise Http404 from None
    except StaleVoter as exc:
        request.session[PENDING_VOTE_KEY] = [round_pk, pk]
        response = _verify_first(request, str(exc), next_url(), as_json)
        identity.forget_voter(response)
        return response
    except VoteError as exc:
        if as_json:
            return JsonResponse({"ok": False, "message": str(exc)}, status=409)
        _card_message(request, messages.WARNING, str(exc), pk)
        return redirect(_to_card(next_url(), pk))
    case, round_ = vote.case, vote.case.round
    left = vote.votes_left
    if left:
        text = _("已为%(title)s投票。本轮您还可投 %(left)s 票。")
    else:
        text = _("已为%(title)s投票。您在本轮的票已全部投出，感谢参与！")
    text = text % {"title": quoted(case.title), "left": left}
    if as_json:
        count = vote.count if snapshots.live_count_allowed(round_) else None
        return JsonResponse({"ok": True, "message": text, "votes_left": left, "count": count})
    _card_message(request, messages.SUCCESS, text, pk)
    return redirect(_to_card(next_url(), pk))


def _verify_first(request, text, next_url, as_json) -> HttpResponse:
    """No vote without a (fresh) verified phone: to the phone page."""
    login_url = reverse("vote:phone") + "?next=" + next_url
    if as_json:
        return JsonResponse({"ok": False, "message": text, "redirect": login_url}, status=403)
    messages.info(request, text)
    return redirect(login_url)


@require_POST
def forget(request: HttpRequest) -> HttpResponse:
    """ "更换手机号": the cookie is revoked on the server too, so a copy of it votes nothing."""
    identity.revoke_own_token(request)
    messages.info(request, _("已退出手机号验证。"))
    response = redirect(_next_url(request, reverse("vote:index")))
    identity.forget_voter(response)
    return response
