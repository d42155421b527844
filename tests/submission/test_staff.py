"""Staff pages: setting up and copying a round, phases, the dashboard and its export."""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cases import rounds
from cases.demo_submission import DEMO_YEAR, ensure_submission_round
from cases.models import Case, CaseTransition, Round
from tests.conftest import make_user

S = Case.Status
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def rows(prefix, items):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(items)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "1",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, item in enumerate(items):
        data.update({f"{prefix}-{i}-{k}": v for k, v in item.items()})
    return data


def round_post(**overrides):
    data = {
        "year": "2028",
        "title": "2028 年度评选",
        "max_cases_per_district": "3",
        "shortlist_size": "30",
        "votes_per_voter": "10",
        "vote_weight": "0.2",
        "trim": "1",
        "submission_opens": "2028-09-01T09:00",
        "submission_closes": "2028-09-30T17:00",
        "vote_opens": "2028-10-08T09:00",
        "vote_closes": "2028-10-15T17:00",
        "review_opens": "",
        "review_closes": "",
        **rows(
            "criteria",
            [
                {"label": "创新性强", "max": "40", "weight": "1", "key": ""},
                {"label": "实效性高", "max": "35.5", "weight": "1.5", "key": "effect"},
            ],
        ),
        **rows("tiers", [{"name": "优秀案例", "size": "20"}]),
    }
    data.update(overrides)
    return data


def test_staff_create_a_round_with_criteria_and_tiers(staff_client):
    response = staff_client.post(reverse("cases:staff_round_create"), round_post())
    round_ = Round.objects.get(year=2028)
    assert response.status_code == 302
    assert round_.status == Round.Status.DRAFT
    assert round_.criteria == [
        {"key": "c1", "label": "创新性强", "max": 40, "weight": 1},
        {"key": "effect", "label": "实效性高", "max": "35.5", "weight": "1.5"},
    ]
    assert round_.tiers == [{"name": "优秀案例", "size": 20}]
    assert round_.submission_closes == datetime(2028, 9, 30, 17, 0, tzinfo=SH)


def test_round_errors_keep_the_rows_and_say_why(staff_client):
    data = round_post(
        **rows("tiers", [{"name": "优秀案例", "size": "10"}, {"name": "优秀案例", "size": "5"}]),
        submission_closes="2028-08-01T09:00",
    )
    response = staff_client.post(reverse("cases:staff_round_create"), data)
    content = response.content.decode()
    assert response.status_code == 200
    assert "档次名称不能重复。" in content
    assert "实效性高" in content and 'value="35.5"' in content
    assert not Round.objects.filter(year=2028).exists()


def test_closing_before_opening_is_refused(staff_client):
    response = staff_client.post(
        reverse("cases:staff_round_create"), round_post(submission_closes="2028-08-01T09:00")
    )
    assert "截止时间须晚于开始时间。" in response.content.decode()
    assert not Round.objects.filter(year=2028).exists()


def test_copying_last_years_round_moves_dates_by_a_year(published_round):
    published_round.submission_closes = datetime(2024, 2, 29, 17, 0, tzinfo=SH)
    published_round.title = "2021 年度上海市各区优化营商环境优秀案例评选"
    published_round.trim = 2
    values = rounds.copy_settings(published_round)
    assert values["year"] == 2022
    assert values["title"] == "2022 年度上海市各区优化营商环境优秀案例评选"
    assert values["tiers"] == published_round.tiers and values["trim"] == 2
    assert values["submission_closes"] == datetime(2025, 2, 28, 17, 0, tzinfo=SH)
    values["tiers"][0]["size"] = 99
    assert published_round.tiers[0]["size"] == 2  # a copy, not the same list


def test_the_copy_page_is_prefilled(staff_client, published_round):
    response = staff_client.get(reverse("cases:staff_round_create") + f"?copy={published_round.pk}")
    content = response.content.decode()
    assert 'name="year" value="2022"' in content
    assert "已复制“2021 年度”的评分标准" in content
    assert 'value="引领性强"' in content


def test_staff_open_and_close_phases_through_the_door(staff_client, open_round):
    url = reverse("cases:staff_round_status", args=[open_round.pk])
    staff_client.post(url, {"to": "voting"})
    open_round.refresh_from_db()
    assert open_round.status == Round.Status.VOTING
    response = staff_client.post(url, {"to": "published"}, follow=True)
    open_round.refresh_from_db()
    assert open_round.status == Round.Status.VOTING
    assert "不能转为“已公布”" in response.content.decode()


def test_dashboard_counts_by_district_and_names_the_missing(
    staff_client, case_factory, district_b, open_round
):
    case_factory(S.DRAFT, title="嘉定草稿")
    case_factory(S.SUBMITTED, title="嘉定已申报")
    case_factory(S.ACCEPTED, title="嘉定已受理")
    case_factory(S.WITHDRAWN, district=district_b, title="浦东撤回")
    response = staff_client.get(reverse("cases:staff_dashboard") + f"?round={open_round.pk}")
    rows = {r["district"].code: r for r in response.context["rows"]}
    assert rows["jiading"]["counts"] == [1, 1, 0, 1, 0, 0]
    assert rows["jiading"]["used"] == 2 and not rows["jiading"]["not_submitted"]
    assert rows["pudong"]["counts"] == [0, 0, 0, 0, 0, 1] and rows["pudong"]["not_submitted"]
    assert len(response.context["missing"]) == 15
    content = response.content.decode()
    assert "嘉定已申报" in content and "嘉定草稿" not in content  # drafts stay with the district


def test_export_has_chinese_headers_and_one_row_per_filed_case(
    staff_client, case_factory, open_round
):
    case_factory(S.SUBMITTED, title="嘉定已申报")
    case_factory(S.DRAFT, title="嘉定草稿")
    response = staff_client.get(reverse("cases:staff_export", args=[open_round.pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    sheet = book["申报案例"]
    values = list(sheet.values)
    assert values[0][:6] == ("序号", "区", "主标题", "副标题", "领域", "状态")
    assert [row[2] for row in values[1:]] == ["嘉定已申报"]
    assert values[1][1] == "嘉定区" and values[1][5] == "已申报"
    summary = list(book["各区汇总"].values)
    assert summary[0][0] == "区" and len(summary) == 17


def test_review_page_shows_the_near_copy(staff_client, case_factory, published_round):
    original = case_factory(S.PUBLISHED, round_=published_round, title="原案例")
    copy = case_factory(S.SUBMITTED, title="原案例")
    response = staff_client.get(reverse("cases:staff_case", args=[copy.pk]))
    matches = response.context["matches"]
    assert matches[0][0] == original and matches[0][1] == 1.0
    assert "100.0%" in response.content.decode()


def test_return_with_comment_is_shown_to_the_district(client, staff, officer_a, case_factory):
    case = case_factory(S.SUBMITTED)
    client.force_login(staff)
    client.post(
        reverse("cases:staff_case_action", args=[case.pk, "return"]),
        {"reason": "请补充成效数据的统计口径"},
    )
    client.force_login(officer_a)
    content = client.get(reverse("cases:submission_detail", args=[case.pk])).content.decode()
    assert "请补充成效数据的统计口径" in content
    history = client.get(reverse("cases:submission_history", args=[case.pk])).content.decode()
    assert "请补充成效数据的统计口径" in history and "退回修改" in history


def test_return_without_comment_is_refused(staff_client, case_factory):
    case = case_factory(S.SUBMITTED)
    response = staff_client.post(
        reverse("cases:staff_case_action", args=[case.pk, "return"]), {"reason": ""}, follow=True
    )
    case.refresh_from_db()
    assert case.status == S.SUBMITTED
    assert "请填写退回或不予受理的理由" in response.content.decode()


def test_role_home_sends_staff_and_officers_to_their_pages(client, staff, officer_a):
    client.force_login(staff)
    assert client.get(reverse("accounts:home")).url == reverse("publishing:workspace")
    client.force_login(officer_a)
    assert client.get(reverse("accounts:home")).url == reverse("cases:my_cases")


# --- demo ---------------------------------------------------------------------------------------


def test_demo_round_is_open_and_idempotent(db, district_a, district_b):
    from cases.models import District

    make_user("officer_jiading", role="officer", district=district_a)
    make_user("officer_pudong", role="officer", district=district_b)
    make_user("officer_changning", role="officer", district=District.objects.get(code="changning"))
    first = ensure_submission_round()
    round_ = Round.objects.get(year=DEMO_YEAR)
    assert round_.status == Round.Status.SUBMISSION and round_.window_open("submission")
    statuses = sorted(round_.cases.values_list("district__code", "status"))
    assert statuses == [
        ("changning", "draft"),
        ("jiading", "draft"),
        ("jiading", "submitted"),
        ("pudong", "submitted"),
    ]
    assert CaseTransition.objects.count() == 2
    second = ensure_submission_round()
    assert "已创建" in first and "已存在" in second
    assert round_.cases.count() == 4 and Round.objects.filter(year=DEMO_YEAR).count() == 1
