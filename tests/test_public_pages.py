"""The public pages: the latest list, a round, a case, the archive and its search."""

import pytest
from django.urls import reverse

from cases.models import Case, Round
from tests.factories import published_case, published_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def year_2022():
    round_ = published_round(2022)
    cases = {
        "a": published_case(
            round_,
            tier="优秀案例",
            rank=1,
            title="打造“小嘉帮办”服务品牌",
            district="嘉定区",
            body="嘉定区推出帮办服务，年均办件量83.97万件。",
        ),
        "b": published_case(
            round_,
            tier="优秀案例",
            rank=2,
            title="推进商事登记确认制",
            subtitle="持续创新市场准入便利化改革",
            district="浦东新区",
            body="浦东新区以立法为抓手。",
        ),
        "c": published_case(
            round_,
            tier="良好实践",
            rank=1,
            title="“益”企助企法律服务团",
            body="为进一步优化法治化营商环境。",
        ),
    }
    return round_, cases


def test_home_shows_the_latest_published_round_tier_by_tier(client, year_2022):
    old = published_round(2019)
    published_case(old, tier="优秀案例", rank=1, title="旧年度的案例", district="黄浦区")
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "上海市2022年度各区优化营商环境优秀案例和良好实践" in html
    assert "2022年11月8日" in html
    assert "旧年度的案例" not in html
    # Tiers in the round's order, each case linked, with its rank and district.
    assert html.index("2022年度优秀案例") < html.index("2022年度良好实践")
    assert html.index("小嘉帮办") < html.index("推进商事登记确认制") < html.index("益”企助企")
    case_a = year_2022[1]["a"]
    assert f'href="{case_a.get_absolute_url()}"' in html
    assert "排名1" in html and "嘉定区" in html
    assert "未注明区" in html and "区待确认" not in html  # the case without a district says so
    assert '<meta name="viewport"' in html  # works on a phone


def test_home_without_any_published_round_says_so(client, db):
    Round.objects.create(year=2027, title="筹备中", status=Round.Status.SUBMISSION)
    response = client.get("/")
    assert "尚无已公布的评选结果" in response.content.decode()


def test_case_page_shows_full_text_sections_and_its_place_in_the_list(client, year_2022):
    case = year_2022[1]["b"]
    html = client.get(case.get_absolute_url()).content.decode()
    assert "推进商事登记确认制" in html
    assert "——持续创新市场准入便利化改革" in html
    assert "一、工作背景" in html and "浦东新区以立法为抓手。" in html
    assert "2022年度优秀案例 · 排名2" in html
    # Its neighbours in the tier are linked: the previous is rank 1.
    assert year_2022[1]["a"].get_absolute_url() in html


def test_round_page_lists_the_round(client, year_2022):
    round_ = year_2022[0]
    response = client.get(reverse("cases:round", args=[round_.pk]))
    assert response.status_code == 200
    assert "推进商事登记确认制" in response.content.decode()


def test_unpublished_round_page_is_not_found(client, db):
    round_ = Round.objects.create(year=2027, title="筹备中", status=Round.Status.SUBMISSION)
    assert client.get(reverse("cases:round", args=[round_.pk])).status_code == 404


@pytest.mark.parametrize(
    "who, expected",
    # Strangers, signed in or not, get 404: nothing tells another district the case exists.
    [("anonymous", 404), ("officer_a", 200), ("officer_b", 404), ("expert", 404), ("staff", 200)],
)
def test_an_unpublished_case_is_seen_only_by_its_district_and_staff(
    client, request, who, expected, district_a
):
    round_ = Round.objects.create(year=2027, title="申报中", status=Round.Status.SUBMISSION)
    case = Case.objects.create(
        round=round_, district=district_a, title="尚未公布的案例", status=Case.Status.SUBMITTED
    )
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    response = client.get(case.get_absolute_url())
    assert response.status_code == expected
    if expected != 200:
        assert "尚未公布的案例" not in response.content.decode()


def test_archive_filters_by_year_tier_and_district(client, year_2022):
    other = published_round(2021)
    published_case(other, tier="优秀案例", rank=1, title="二〇二一年的案例", district="嘉定区")
    url = reverse("cases:archive")

    def titles(**params):
        html = client.get(url, params).content.decode()
        return {
            t for t in ("小嘉帮办", "商事登记确认制", "法律服务团", "二〇二一年的案例") if t in html
        }

    assert titles() == {"小嘉帮办", "商事登记确认制", "法律服务团", "二〇二一年的案例"}
    assert titles(year="2021") == {"二〇二一年的案例"}
    assert titles(year="2022", tier="良好实践") == {"法律服务团"}
    assert titles(district="jiading") == {"小嘉帮办", "二〇二一年的案例"}
    assert titles(district="none") == {"法律服务团"}


@pytest.mark.parametrize(
    "query, found",
    [
        ("帮办", {"小嘉帮办"}),  # two characters: the base-table scan
        ("帮", {"小嘉帮办"}),  # one character
        ("办件量", {"小嘉帮办"}),  # three or more: the trigram index
        ("市场准入便利化", {"商事登记确认制"}),  # in the subtitle
        ("法治化营商环境", {"法律服务团"}),
        ("浦东新区 立法", {"商事登记确认制"}),  # every word must match
        ("不存在的词语", set()),
    ],
)
def test_archive_search_finds_chinese_words_of_any_length(client, year_2022, query, found):
    html = client.get(reverse("cases:archive"), {"q": query}).content.decode()
    shown = {t for t in ("小嘉帮办", "商事登记确认制", "法律服务团") if t in html}
    assert shown == found


def test_search_results_highlight_the_match_and_escape_the_text(client, year_2022):
    round_ = year_2022[0]
    published_case(
        round_,
        tier="良好实践",
        rank=2,
        title="含有标签的案例",
        body="<script>alert(1)</script>帮办服务",
    )
    html = client.get(reverse("cases:archive"), {"q": "帮办"}).content.decode()
    assert "<mark>帮办</mark>" in html
    assert "<script>alert(1)</script>" not in html


def test_archive_paginates(client, db):
    round_ = published_round(2020, tiers=(("优秀案例", 30),))
    for i in range(1, 26):
        published_case(round_, tier="优秀案例", rank=i, title=f"分页案例{i:02d}")
    first = client.get(reverse("cases:archive")).content.decode()
    second = client.get(reverse("cases:archive"), {"page": 2}).content.decode()
    assert "分页案例01" in first and "分页案例21" not in first
    assert "分页案例21" in second and "1 / 2" in first
