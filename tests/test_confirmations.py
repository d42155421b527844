"""Irreversible steps ask first (issue #19): a GET or a POST without the confirm field shows
what will happen and changes nothing; only the confirmed POST acts. Plain client requests:
the mechanism needs no JavaScript."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Round
from core.confirm import CONFIRM_FIELD, CONFIRM_VALUE
from publishing import publication
from publishing.models import PublicationEvent
from reviews.factories import CaseFactory, RoundFactory, review_round
from reviews.models import RoundSelection
from tests.factories import approved_round
from tests.submission.conftest import make_case

S = Round.Status
CONFIRMED = {CONFIRM_FIELD: CONFIRM_VALUE}


def assert_asks(response, *words):
    """The confirmation page: what will happen, a POST form with the confirm field, no script
    of its own (CSP)."""
    assert response.status_code == 200
    html = response.content.decode()
    assert "请确认" in html and 'data-testid="confirmation"' in html
    assert f'name="{CONFIRM_FIELD}" value="{CONFIRM_VALUE}"' in html
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert "<script" not in main and not re.search(r"\son[a-z]+=", main)
    for word in words:
        assert word in html, word
    return html


@pytest.fixture
def submission_round(db):
    now = timezone.now()
    return Round.objects.create(
        year=2027,
        title="2027 年度评选",
        status=S.SUBMISSION,
        submission_opens=now - datetime.timedelta(days=1),
        submission_closes=now + datetime.timedelta(days=10),
    )


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def test_accepting_a_case_asks_first(staff_client, submission_round, district_a):
    case = make_case(submission_round, district_a, Case.Status.SUBMITTED)
    url = reverse("cases:staff_case_action", args=[case.pk, "accept"])
    assert_asks(staff_client.get(url), "受理案例", "区里不能再修改或撤回", case.title)
    assert_asks(staff_client.post(url), "受理案例")
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED
    response = staff_client.post(url, CONFIRMED)
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.ACCEPTED


def test_rejecting_carries_the_reason_and_needs_it(staff_client, submission_round, district_a):
    case = make_case(submission_round, district_a, Case.Status.SUBMITTED)
    url = reverse("cases:staff_case_action", args=[case.pk, "reject"])
    html = assert_asks(staff_client.post(url, {"reason": "不属于优化营商环境范围"}), "不予受理")
    assert "不属于优化营商环境范围</textarea>" in html
    case.refresh_from_db()
    assert case.status == Case.Status.SUBMITTED
    staff_client.post(url, {**CONFIRMED, "reason": "不属于优化营商环境范围"})
    case.refresh_from_db()
    assert case.status == Case.Status.REJECTED


def test_returning_a_case_acts_at_once(staff_client, submission_round, district_a):
    case = make_case(submission_round, district_a, Case.Status.SUBMITTED)
    url = reverse("cases:staff_case_action", args=[case.pk, "return"])
    assert staff_client.post(url, {"reason": "请补充数据"}).status_code == 302
    case.refresh_from_db()
    assert case.status == Case.Status.RETURNED


def test_closing_the_vote_asks_first(staff_client, db):
    round_ = RoundFactory(status=S.VOTING)
    CaseFactory(round=round_)
    url = reverse("reviews:close_vote", args=[round_.pk])
    assert_asks(staff_client.get(url), "结束网络投票", "公众不能再投票")
    assert_asks(staff_client.post(url))
    round_.refresh_from_db()
    assert round_.status == S.VOTING
    assert staff_client.post(url, CONFIRMED).status_code == 302
    round_.refresh_from_db()
    assert round_.status == S.REVIEW


def test_closing_the_review_asks_first_and_carries_the_choice(staff_client, db):
    round_, _cases = review_round()
    url = reverse("reviews:assignment_action", args=[round_.pk])
    html = assert_asks(
        staff_client.post(url, {"action": "close", "allow_missing": "on"}),
        "结束评审并解封评分",
        "解封后不能再封存",
    )
    assert 'name="action" value="close"' in html and 'name="allow_missing" value="on"' in html
    assert not RoundSelection.objects.filter(round=round_, review_closed_at__isnull=False).exists()


def test_approving_asks_first(staff_client, db):
    round_, _cases = review_round()
    url = reverse("reviews:approve", args=[round_.pk])
    assert_asks(staff_client.get(url), "审定评选结果", "冻结")
    assert_asks(staff_client.post(url))
    round_.refresh_from_db()
    assert round_.status == S.REVIEW


def test_starting_the_publicity_names_its_end_and_asks_first(staff_client, db):
    round_ = approved_round()
    url = reverse("publishing:start_publicity", args=[round_.pk])
    assert_asks(staff_client.get(url), "开始公示", "4 个案例", "5 个工作日")
    assert_asks(staff_client.post(url))
    round_.refresh_from_db()
    assert round_.status == S.APPROVED
    staff_client.post(url, CONFIRMED)
    round_.refresh_from_db()
    assert round_.status == S.PUBLICITY


def test_publishing_asks_first_and_keeps_the_notice_written(staff_client, db):
    round_ = approved_round()
    publication.start_publicity(round=round_, now=timezone.now() - datetime.timedelta(days=30))
    draft = publication.draft_notice(round_)
    draft.update(notice_date="2024-11-08", publish="1", notice_title="关于印发的通知（改）")
    url = reverse("publishing:notice", args=[round_.pk])
    html = assert_asks(staff_client.post(url, draft), "印发公布", "4 个案例")
    assert 'value="关于印发的通知（改）"' in html and 'name="publish"' in html
    round_.refresh_from_db()
    assert round_.status == S.PUBLICITY
    carried = dict(re.findall(r'<input type="hidden" name="([a-z_]+)" value="([^"]*)"', html))
    assert carried["notice_title"] == "关于印发的通知（改）"
    response = staff_client.post(url, {**draft, **CONFIRMED})
    assert response.status_code == 302
    round_.refresh_from_db()
    assert round_.status == S.PUBLISHED and round_.notice_title == "关于印发的通知（改）"


def test_staff_end_the_publicity_early_with_a_reason(staff_client, db):
    round_ = approved_round()
    publication.start_publicity(round=round_)
    url = reverse("publishing:end_publicity", args=[round_.pk])
    html = assert_asks(staff_client.get(url), "提前结束公示")
    assert 'name="reason"' in html
    # Confirmed without a reason: asked again, nothing ends.
    assert_asks(staff_client.post(url, CONFIRMED))
    round_.refresh_from_db()
    assert publication.publicity_running(round_)
    staff_client.post(url, {**CONFIRMED, "reason": "经请示，公示期提前结束"})
    round_.refresh_from_db()
    assert not publication.publicity_running(round_)
    assert round_.status == S.PUBLICITY
    event = round_.publication_events.get(kind=PublicationEvent.Kind.PUBLICITY_ENDED)
    assert "经请示" in event.reason
    assert publication.publish_blockers(round_) == []


@pytest.mark.parametrize("who", ["officer_a", "expert"])
def test_the_confirmation_page_is_for_staff_only(client, request, who, db):
    round_ = approved_round()
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("publishing:start_publicity", args=[round_.pk])).status_code == 403
    assert client.get(reverse("reviews:approve", args=[round_.pk])).status_code == 403
