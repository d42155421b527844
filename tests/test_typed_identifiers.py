"""Ids and numbers people type, in query strings, forms and uploads, are canonical (#13): any
script's digits give the same answer as ASCII digits, and what is no number (``²``, a topic
beyond 64 bits) is refused with a Chinese message (pages) or a 400 (API, exports), never a
500. NUL is removed before any view reads a parameter (#16)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Round, Topic
from cases.submission.forms import KeyFigureFormSet
from reviews import review
from reviews.factories import VoterFactory, review_round
from reviews.models import Assignment, Vote
from reviews.score_upload import parse_upload
from reviews.vote import casting
from tests.factories import published_case, published_round

pytestmark = pytest.mark.django_db

HUGE = str(2**64)
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


@pytest.fixture
def archive():
    r2022 = published_round(2022)
    topic = Topic.objects.order_by("pk").first()
    published_case(r2022, tier="优秀案例", rank=1, title="小嘉帮办", district="嘉定区", topic=topic)
    published_case(r2022, tier="优秀案例", rank=2, title="商事登记确认制", district="浦东新区")
    r2021 = published_round(2021)
    published_case(r2021, tier="优秀案例", rank=1, title="二〇二一年的案例", district="嘉定区")
    return topic


def _titles(response):
    html = response.content.decode()
    return {t for t in ("小嘉帮办", "商事登记确认制", "二〇二一年的案例") if t in html}


# --- The archive page -------------------------------------------------------------------------


def test_the_archive_reads_full_width_digits_as_ascii(client, archive):
    url = reverse("cases:archive")
    assert _titles(client.get(url, {"year": "２０２１"})) == {"二〇二一年的案例"}
    assert _titles(client.get(url, {"topic": str(archive.pk)})) == {"小嘉帮办"}
    full_width = str(archive.pk).translate(FULL_WIDTH)
    assert _titles(client.get(url, {"topic": full_width})) == {"小嘉帮办"}


@pytest.mark.parametrize(
    "params, message",
    [
        ({"year": "²"}, "年度须为四位数字"),
        ({"year": "２０２²"}, "年度须为四位数字"),
        ({"topic": "²"}, "领域须为编号"),
        ({"topic": HUGE}, "领域须为编号"),
        ({"page": "²"}, "页码须为正整数"),
    ],
)
def test_the_archive_ignores_what_is_no_number_and_says_so(client, archive, params, message):
    response = client.get(reverse("cases:archive"), params)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert _titles(response) == {"小嘉帮办", "商事登记确认制", "二〇二一年的案例"}


def test_nul_in_a_search_is_removed_before_the_search(client, archive):
    url = reverse("cases:archive")
    assert _titles(client.get(url, {"q": "帮\x00办"})) == {"小嘉帮办"}
    assert _titles(client.get(url, {"q": "\x00", "year": "2022\x00"})) == {
        "小嘉帮办",
        "商事登记确认制",
    }


# --- The API and the exports ------------------------------------------------------------------


def _api(client, **params):
    return client.get(reverse("publishing:api_cases"), params)


def test_the_api_reads_full_width_digits_as_ascii(client, archive):
    for ascii_, typed in [
        ({"year": "2021"}, {"year": "２０２１"}),
        ({"page_size": "1", "page": "2"}, {"page_size": "１", "page": "٢"}),
        ({"topic": str(archive.pk)}, {"topic": f" {archive.pk}\u3000"}),
    ]:
        expected, got = _api(client, **ascii_), _api(client, **typed)
        assert got.status_code == expected.status_code == 200
        assert got.json()["results"] == expected.json()["results"]


@pytest.mark.parametrize(
    "params, message",
    [
        ({"page": "²"}, "page"),
        ({"page_size": "²"}, "page_size"),
        ({"page": HUGE}, "页码超出范围"),
        ({"page_size": HUGE}, "page_size"),
        ({"year": "²"}, "年度"),
        ({"topic": "²"}, "领域"),
        ({"topic": HUGE}, "领域"),
        ({"topic": "-1"}, "领域"),
    ],
)
def test_the_api_answers_400_for_what_is_no_number(client, archive, params, message):
    response = _api(client, **params)
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_the_search_export_reads_full_width_digits_and_refuses_junk(client, archive):
    url = reverse("publishing:export_search", args=["csv"])
    ascii_ = client.get(url, {"year": "2021"})
    typed = client.get(url, {"year": "２０２１"})
    assert typed.status_code == ascii_.status_code == 200
    assert typed.content == ascii_.content and "二〇二一年的案例" in typed.content.decode()
    for params in ({"year": "²"}, {"topic": HUGE}, {"topic": "²"}):
        response = client.get(url, params)
        assert response.status_code == 400, params
        assert response["Content-Type"].startswith("text/plain")
        assert any("\u4e00" <= ch <= "\u9fff" for ch in response.content.decode())


# --- Staff pages --------------------------------------------------------------------------------


def test_the_dashboard_takes_a_round_id_in_any_digits(client, staff):
    old = Round.objects.create(year=2020, title="二〇二〇年度", status=Round.Status.PUBLISHED)
    Round.objects.create(year=2027, title="二〇二七年度", status=Round.Status.SUBMISSION)
    client.force_login(staff)
    url = reverse("cases:staff_dashboard")
    typed = str(old.pk).translate(FULL_WIDTH)
    assert client.get(url, {"round": typed}).context["round"] == old
    response = client.get(url, {"round": "²"})
    assert response.status_code == 200 and response.context["round"].year == 2027
    assert "评选编号无效" in response.content.decode()
    response = client.get(reverse("cases:staff_round_create"), {"copy": HUGE})
    assert response.status_code == 200 and response.context["source"] is None
    assert "评选编号无效" in response.content.decode()
    typed = str(old.pk).translate(ARABIC_INDIC)
    response = client.get(reverse("cases:staff_round_create"), {"copy": typed})
    assert response.context["source"] == old


@pytest.fixture
def voting(db):
    from reviews.factories import CaseFactory, RoundFactory

    round_ = RoundFactory(status=Round.Status.VOTING)
    case = CaseFactory(round=round_)
    vote = casting.cast_vote(round=round_, case=case, voter=VoterFactory(), ip="10.0.0.1")
    return round_, case, vote


def test_votes_are_voided_by_ids_in_any_digits_and_junk_voids_nothing(client, staff, voting):
    round_, case, vote = voting
    client.force_login(staff)
    url = reverse("reviews:void", args=[round_.pk])
    response = client.post(url, {"vote_ids": [str(vote.pk), "²"], "reason": "同一地址段"})
    assert response.status_code == 302
    assert not Vote.objects.get(pk=vote.pk).voided  # one bad id: nothing voided, a message
    typed = str(vote.pk).translate(ARABIC_INDIC)
    client.post(url, {"vote_ids": [typed], "reason": "同一地址段"})
    assert Vote.objects.get(pk=vote.pk).voided


def test_an_assignment_action_with_junk_ids_is_a_message(client, staff, expert):
    round_, cases = review_round()
    client.force_login(staff)
    url = reverse("reviews:assignment_action", args=[round_.pk])
    for data in (
        {"action": "add", "case": "²", "expert": str(expert.pk)},
        {"action": "add", "case": HUGE, "expert": str(expert.pk)},
        {"action": "remove", "assignment": "²"},
        {"action": "reopen", "assignment": HUGE},
    ):
        response = client.post(url, data, follow=True)
        assert response.status_code in (200, 404), data
    typed = str(cases[0].pk).translate(FULL_WIDTH)
    client.post(url, {"action": "add", "case": typed, "expert": str(expert.pk)})
    assert Assignment.objects.filter(case=cases[0], expert=expert).exists()


def test_a_score_upload_reads_case_ids_in_any_digits(db, expert):
    round_, (huangpu, _pudong, _jiading) = review_round()
    review.assign_default(round=round_)
    rows = [("leading", "30"), ("felt", "20"), ("replicable", "25")]

    def upload(case_id):
        lines = [f"{case_id},expert,{key},{value}" for key, value in rows]
        return ("case,expert,criterion,score\n" + "\n".join(lines) + "\n").encode()

    typed = str(huangpu.pk).translate(FULL_WIDTH)
    assert parse_upload(round=round_, data=upload(typed)).ok
    for junk in ("²", HUGE, "0"):
        preview = parse_upload(round=round_, data=upload(junk))
        assert not preview.ok and "不是本轮入围案例" in str(preview.errors[0])


# --- Forms ------------------------------------------------------------------------------------


def test_a_case_form_stores_phones_and_figures_in_ascii_digits(client, officer_a):
    round_ = Round.objects.create(
        year=2027,
        title="2027 年度",
        status=Round.Status.SUBMISSION,
        submission_closes=timezone.now() + datetime.timedelta(days=3),
    )
    client.force_login(officer_a)
    response = client.post(
        reverse("cases:submission_create", args=[round_.pk]),
        {
            "title": "全角数字的案例",
            "contact_phone": "０２１－５９９９１２３４",
            "action": "draft",
            "figures-TOTAL_FORMS": "1",
            "figures-INITIAL_FORMS": "0",
            "figures-0-indicator": "年均办件量",
            "figures-0-value": "８３．９７",
            "figures-0-unit": "万件",
        },
    )
    assert response.status_code == 302
    case = Case.objects.get(title="全角数字的案例")
    assert case.contact_phone == "021-59991234"
    assert case.key_figures.get().value == "83.97"


def test_a_posted_form_count_builds_no_more_forms_than_allowed():
    data = {"figures-TOTAL_FORMS": str(10**9), "figures-INITIAL_FORMS": "0"}
    formset = KeyFigureFormSet(data, instance=Case(), prefix="figures")
    assert len(formset.forms) <= 12
    assert not formset.is_valid()


def test_an_objection_link_preselects_a_case_typed_in_any_digits(client):
    from publishing import publication
    from tests.factories import approved_round

    round_ = approved_round(2023)
    publication.start_publicity(round=round_)
    case = publication.listed_cases(round_).first()
    typed = str(case.pk).translate(FULL_WIDTH)
    url = reverse("publishing:object", args=[round_.pk])
    assert client.get(url, {"case": typed}).context["form"].initial["case"] == case.pk
    assert client.get(url, {"case": "²"}).context["form"].initial["case"] is None
