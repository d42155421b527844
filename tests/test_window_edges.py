"""Every window's edges, with the answers written out: a window opens at its opening instant
(inclusive) and is closed at its closing instant (exclusive), for the submission, the public
vote, the expert review and the 公示 (objections). The expected values are literals, never
taken from the code under test."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.models import Case, Round
from cases.workflow import TransitionError, check_can_submit, vote_started
from publishing import objections
from reviews.factories import CaseFactory, RoundFactory, VoterFactory
from reviews.models import Vote
from reviews.review import is_review_open
from reviews.vote import casting
from tests.factories import approved_round
from tests.submission.conftest import make_case

pytestmark = pytest.mark.django_db

OPENS = timezone.make_aware(datetime.datetime(2024, 6, 3, 9, 0))
CLOSES = timezone.make_aware(datetime.datetime(2024, 6, 14, 17, 0))
MICROSECOND = datetime.timedelta(microseconds=1)
# (instant, open?) at both edges, from either side.
EDGES = [
    (OPENS - MICROSECOND, False),
    (OPENS, True),
    (OPENS + MICROSECOND, True),
    (CLOSES - MICROSECOND, True),
    (CLOSES, False),
    (CLOSES + MICROSECOND, False),
]
IDS = ["before-opening", "at-opening", "after-opening", "before-closing", "at-closing", "after"]


@pytest.mark.parametrize(("now", "open_"), EDGES, ids=IDS)
def test_the_submission_window(district_a, now, open_):
    round_ = Round.objects.create(
        year=2027,
        title="2027 年度评选",
        status=Round.Status.SUBMISSION,
        submission_opens=OPENS,
        submission_closes=CLOSES,
    )
    case = make_case(round_, district_a)
    if open_:
        check_can_submit(case, now=now)
    else:
        message = "申报尚未开始" if now < OPENS else "申报已于 2024-06-14 17:00 截止"
        with pytest.raises(TransitionError, match=message):
            check_can_submit(case, now=now)


@pytest.mark.parametrize(("now", "open_"), EDGES, ids=IDS)
def test_the_vote_window(now, open_):
    """Both paths: the Python check and the vote's own statement (one SQL statement that
    gates its writes on PostgreSQL)."""
    round_ = RoundFactory(vote_opens=OPENS, vote_closes=CLOSES, votes_per_voter=1)
    case = CaseFactory(round=round_, status=Case.Status.ACCEPTED)
    assert casting.is_vote_open(round_, now) is open_
    try:
        casting.record_vote(
            round_pk=round_.pk,
            case_pk=case.pk,
            voter_id=VoterFactory().pk,
            token_version=0,
            now=now,
        )
        written = True
    except casting.VoteError as exc:
        assert "未在进行中" in str(exc) or "投票" in str(exc)
        written = False
    assert written is open_
    assert Vote.objects.filter(case=case).count() == (1 if open_ else 0)


@pytest.mark.parametrize(
    ("now", "started"),
    [(OPENS - MICROSECOND, False), (OPENS, True), (CLOSES, True)],
    ids=["before-opening", "at-opening", "at-closing"],
)
def test_the_vote_has_started_from_its_opening_instant(now, started):
    round_ = Round.objects.create(
        year=2027,
        title="2027 年度评选",
        status=Round.Status.SUBMISSION,
        vote_opens=OPENS,
        vote_closes=CLOSES,
    )
    assert vote_started(round_, now) is started


@pytest.mark.parametrize(("now", "open_"), EDGES, ids=IDS)
def test_the_review_window(now, open_):
    round_ = RoundFactory(status=Round.Status.REVIEW, review_opens=OPENS, review_closes=CLOSES)
    assert is_review_open(round_, now) is open_


@pytest.mark.parametrize(("now", "open_"), EDGES, ids=IDS)
def test_the_publicity_period_takes_objections(now, open_):
    round_ = approved_round()
    Round.objects.filter(pk=round_.pk).update(
        status=Round.Status.PUBLICITY, publicity_starts=OPENS, publicity_ends=CLOSES
    )
    round_.refresh_from_db()
    assert objections.accepts_objections(round_, now) is open_
    values = dict(name="张三", contact="13800000000", grounds="数据与事实不符", now=now)
    case = round_.cases.get(title="智能退税")
    if open_:
        assert objections.file_objection(case=case, **values).is_open
    else:
        with pytest.raises(ValidationError, match="不在公示期内"):
            objections.file_objection(case=case, **values)
