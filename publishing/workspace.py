"""The staff workspace: every round in its phase with the one next step for that phase.

``next_action`` is the rule (pure: facts in, an action out), tested on its own; ``round_cards``
gathers the facts from the database and turns actions into links for the page.
"""

from dataclasses import dataclass

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.models import Case, ReturnRequest, Round
from reviews.models import Assignment
from reviews.review import review_closed

from .models import Objection
from .publication import publicity_running

S = Round.Status


@dataclass(frozen=True)
class Facts:
    """What the next step of a round depends on, read once from the database."""

    status: str
    has_windows: bool = True  # the submission window is set (the round was set up)
    submitted: int = 0  # cases waiting to be checked in
    accepted: int = 0
    assignments: int = 0
    review_closed: bool = False
    publicity_running: bool = False
    open_objections: int = 0
    return_requests: int = 0  # districts asking for a submitted case back, unanswered


@dataclass(frozen=True)
class Action:
    key: str
    label: str
    url_name: str
    by_query: bool = False  # the page takes the round as ?round= rather than in the path
    hint: str = ""


SET_UP = Action(
    "set_up",
    _("完善评选设置"),
    "cases:staff_round_edit",
    hint=_("评分标准、档次、名额和各阶段时间"),
)
OPEN_SUBMISSION = Action(
    "open_submission",
    _("开放申报"),
    "cases:staff_dashboard",
    True,
    _("在申报管理页转入“申报中”阶段"),
)
CHECK_IN = Action(
    "check_in", _("受理申报"), "cases:staff_dashboard", True, _("逐个审核已申报的案例")
)
AWAIT_SUBMISSIONS = Action(
    "await_submissions", _("等待各区申报"), "cases:staff_dashboard", True, _("尚无待受理的案例")
)
OPEN_VOTE = Action(
    "open_vote",
    _("开始网络投票"),
    "cases:staff_dashboard",
    True,
    _("在申报管理页转入“网络投票”阶段"),
)
CLOSE_VOTE = Action(
    "close_vote", _("结束投票"), "reviews:votes", hint=_("查看票数后结束投票，计算入围名单")
)
ASSIGN_EXPERTS = Action("assign_experts", _("分配评审专家"), "reviews:assignments")
CLOSE_REVIEW = Action(
    "close_review", _("结束评审"), "reviews:assignments", hint=_("专家提交评分后结束评审并解封评分")
)
APPROVE = Action("approve", _("审定结果"), "reviews:results")
START_PUBLICITY = Action("start_publicity", _("开始公示"), "publishing:round")
ANSWER_OBJECTIONS = Action("answer_objections", _("答复异议"), "publishing:round")
AWAIT_PUBLICITY = Action(
    "await_publicity", _("等待公示期结束"), "publishing:round", hint=_("可提前结束公示")
)
PUBLISH = Action("publish", _("印发公布"), "publishing:notice")
DONE = Action("done", _("已公布：查看公布记录"), "publishing:round")


def next_action(facts: Facts) -> Action:
    """The next step for a round, by its phase: set up → open submission → check in → open
    vote → close vote → assign experts → close review → approve → start 公示 → answer
    objections → publish."""
    status = facts.status
    if status == S.DRAFT:
        return OPEN_SUBMISSION if facts.has_windows else SET_UP
    if status == S.SUBMISSION:
        if facts.submitted:
            return CHECK_IN
        return OPEN_VOTE if facts.accepted else AWAIT_SUBMISSIONS
    if status == S.VOTING:
        return CLOSE_VOTE
    if status == S.REVIEW:
        if facts.review_closed:
            return APPROVE
        return CLOSE_REVIEW if facts.assignments else ASSIGN_EXPERTS
    if status == S.APPROVED:
        return START_PUBLICITY
    if status == S.PUBLICITY:
        if facts.open_objections:
            return ANSWER_OBJECTIONS
        return AWAIT_PUBLICITY if facts.publicity_running else PUBLISH
    return DONE


def action_url(action: Action, round_: Round) -> str:
    if action.by_query:
        return f"{reverse(action.url_name)}?round={round_.pk}"
    return reverse(action.url_name, args=[round_.pk])


def facts_of(round_: Round, now=None) -> Facts:
    counts = Case.objects.filter(round=round_).aggregate(
        submitted=Count("id", filter=Q(status=Case.Status.SUBMITTED)),
        accepted=Count("id", filter=Q(status=Case.Status.ACCEPTED)),
    )
    return Facts(
        status=round_.status,
        has_windows=round_.submission_opens is not None and round_.submission_closes is not None,
        submitted=counts["submitted"],
        accepted=counts["accepted"],
        assignments=Assignment.objects.filter(round=round_).count(),
        review_closed=review_closed(round_),
        publicity_running=publicity_running(round_, now or timezone.now()),
        open_objections=Objection.objects.filter(
            round=round_, status=Objection.Status.OPEN
        ).count(),
        return_requests=ReturnRequest.objects.filter(
            case__round=round_, status=ReturnRequest.Status.OPEN
        ).count(),
    )


# Each phase's pages, in the order of the round: (label, URL name, whether it takes ?round=,
# the phases in which the page exists).
SELECTION = (S.VOTING, S.REVIEW, S.APPROVED, S.PUBLICITY, S.PUBLISHED)
AFTER_VOTE = (S.REVIEW, S.APPROVED, S.PUBLICITY, S.PUBLISHED)
LINKS = [
    (_("设置"), "cases:staff_round_edit", False, tuple(S.values)),
    (_("申报与受理"), "cases:staff_dashboard", True, tuple(S.values)),
    (_("网络投票"), "reviews:votes", False, SELECTION),
    (_("专家分配"), "reviews:assignments", False, AFTER_VOTE),
    (_("评选结果"), "reviews:results", False, AFTER_VOTE),
    (_("公示与公布"), "publishing:round", False, (S.APPROVED, S.PUBLICITY, S.PUBLISHED)),
]


def round_links(round_: Round) -> list[tuple[str, str]]:
    links = []
    for label, name, by_query, phases in LINKS:
        if round_.status in phases:
            url = (
                f"{reverse(name)}?round={round_.pk}"
                if by_query
                else reverse(name, args=[round_.pk])
            )
            links.append((label, url))
    return links


@dataclass
class RoundCard:
    round: Round
    facts: Facts
    action: Action
    action_url: str
    links: list


def round_cards(now=None) -> list[RoundCard]:
    cards = []
    for round_ in Round.objects.order_by("-year", "-id"):
        facts = facts_of(round_, now)
        action = next_action(facts)
        cards.append(
            RoundCard(round_, facts, action, action_url(action, round_), round_links(round_))
        )
    return cards
