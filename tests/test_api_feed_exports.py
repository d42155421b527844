"""The read-only JSON API, the feed of published rounds, the exports and the statistics."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cases.models import Case, Round
from tests.factories import approved_round, published_case, published_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive():
    r2022 = published_round(2022)
    published_case(
        r2022,
        tier="优秀案例",
        rank=1,
        title="打造“小嘉帮办”服务品牌",
        district="嘉定区",
        body="嘉定区推出帮办服务，年均办件量83.97万件。",
        subtitle="副标题",
    )
    published_case(
        r2022,
        tier="优秀案例",
        rank=2,
        title="推进商事登记确认制",
        district="浦东新区",
        body="浦东新区以立法为抓手。",
    )
    published_case(
        r2022, tier="良好实践", rank=1, title="“益”企助企法律服务团", body="法治化营商环境。"
    )
    r2021 = published_round(2021)
    published_case(
        r2021,
        tier="优秀案例",
        rank=1,
        title="二〇二一年的帮办案例",
        district="嘉定区",
        body="帮办。",
    )
    hidden = approved_round(2024)  # not published: never in the API
    return r2022, r2021, hidden


def api(client, name, *args, **params):
    return client.get(reverse(f"publishing:{name}", args=args), params)


def test_api_cases_answers_the_documented_shape(client, archive):
    data = api(client, "api_cases").json()
    assert data["count"] == 4 and data["next"] is None and data["previous"] is None
    first = data["results"][0]
    assert set(first) == {"id", "year", "tier", "rank", "district", "title", "subtitle", "url"}
    assert first["year"] == 2022 and first["rank"] == 1 and first["district"] == "嘉定区"
    assert first["url"].startswith("http://testserver/cases/")
    assert [r["year"] for r in data["results"]] == [2022, 2022, 2022, 2021]


@pytest.mark.parametrize(
    "params, titles",
    [
        ({"year": "2021"}, ["二〇二一年的帮办案例"]),
        ({"tier": "良好实践"}, ["“益”企助企法律服务团"]),
        ({"district": "嘉定区"}, ["打造“小嘉帮办”服务品牌", "二〇二一年的帮办案例"]),
        ({"district": "jiading", "year": "2022"}, ["打造“小嘉帮办”服务品牌"]),
        ({"q": "帮办"}, ["打造“小嘉帮办”服务品牌", "二〇二一年的帮办案例"]),
        ({"q": "办件量"}, ["打造“小嘉帮办”服务品牌"]),
        ({"q": "立法", "district": "浦东新区"}, ["推进商事登记确认制"]),
    ],
)
def test_api_cases_filters(client, archive, params, titles):
    assert [r["title"] for r in api(client, "api_cases", **params).json()["results"]] == titles


def test_api_cases_paginates_with_links(client, archive):
    data = api(client, "api_cases", page_size="3").json()
    assert data["count"] == 4 and len(data["results"]) == 3
    assert data["next"].endswith("page=2") and "page_size=3" in data["next"]
    second = client.get(data["next"]).json()
    assert len(second["results"]) == 1 and second["previous"] is not None
    assert second["next"] is None


@pytest.mark.parametrize(
    "params, message",
    [
        ({"year": "abc"}, "年度"),
        ({"page": "0"}, "page"),
        ({"page": "x"}, "page"),
        ({"page": "9"}, "页码超出范围"),
        ({"page_size": "1000"}, "page_size"),
        ({"district": "火星区"}, "火星区"),
        ({"q": "字" * 101}, "关键词"),
    ],
)
def test_api_bad_parameters_answer_400_in_chinese(client, archive, params, message):
    response = api(client, "api_cases", **params)
    assert response.status_code == 400
    assert message in response.json()["error"]
    assert "\\u" not in response.content.decode()  # readable Chinese, not escapes


def test_api_case_detail_has_the_full_text_and_hides_unpublished(client, archive):
    case = Case.objects.published().get(title="推进商事登记确认制")
    data = api(client, "api_case", case.pk).json()
    assert data["sections"] == [{"heading": "一、工作背景", "body": "浦东新区以立法为抓手。"}]
    assert data["district"] == "浦东新区" and data["year"] == 2022
    hidden = archive[2].cases.first()
    response = api(client, "api_case", hidden.pk)
    assert response.status_code == 404 and "已公布案例" in response.json()["error"]


def test_api_rounds_lists_only_published_rounds(client, archive):
    data = api(client, "api_rounds").json()
    assert [r["year"] for r in data["results"]] == [2022, 2021]
    assert data["results"][0]["tiers"] == [
        {"name": "优秀案例", "count": 2},
        {"name": "良好实践", "count": 1},
    ]


def test_feed_lists_newly_published_rounds(client, archive):
    from django.utils import timezone

    Round.objects.filter(year=2022).update(published_at=timezone.now())
    rss = client.get(reverse("publishing:feed"))
    assert rss.status_code == 200 and rss["Content-Type"].startswith("application/rss+xml")
    body = rss.content.decode()
    assert "上海市2022年度各区优化营商环境优秀案例和良好实践" in body
    assert "优秀案例2个、良好实践1个" in body
    assert "2024" not in body  # the approved round is not published
    atom = client.get(reverse("publishing:feed_atom"))
    assert atom["Content-Type"].startswith("application/atom+xml")


def test_round_export_xlsx_and_csv(client, archive):
    r2022 = archive[0]
    response = client.get(reverse("publishing:export_round", args=[r2022.pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][:5] == ("年度", "档次", "排名", "区", "标题")
    assert [r[4] for r in rows[1:]] == [
        "打造“小嘉帮办”服务品牌",
        "推进商事登记确认制",
        "“益”企助企法律服务团",
    ]
    response = client.get(reverse("publishing:export_round", args=[r2022.pk, "csv"]))
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(table) == 4 and "attachment" in response["Content-Disposition"]


def test_search_export_follows_the_archive_filters(client, archive):
    response = client.get(reverse("publishing:export_search", args=["csv"]), {"q": "帮办"})
    table = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[4] for row in table[1:]] == ["打造“小嘉帮办”服务品牌", "二〇二一年的帮办案例"]
    assert client.get(reverse("publishing:export_search", args=["exe"])).status_code == 404


def test_unpublished_round_cannot_be_exported(client, archive):
    url = reverse("publishing:export_round", args=[archive[2].pk, "csv"])
    assert client.get(url).status_code == 404


def test_statistics_counts_cases_and_awards_per_district_and_year(client, archive):
    Case.objects.create(
        round=archive[0],
        title="申报未获奖",
        status="accepted",
        district=Case.objects.published().get(title="推进商事登记确认制").district,
    )
    response = client.get(reverse("publishing:statistics"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "chart.umd.js" in html and 'id="chart-data"' in html
    table = response.context["table"]
    assert table["years"] == [2021, 2022]
    rows = {row["district"]: row for row in table["rows"]}
    assert [(c["cases"], c["awards"]) for c in rows["嘉定区"]["cells"]] == [(1, 1), (1, 1)]
    assert [(c["cases"], c["awards"]) for c in rows["浦东新区"]["cells"]] == [(0, 0), (2, 1)]
    assert rows["未注明区"]["cells"][1]["tiers"] == {"良好实践": 1}
    assert table["totals"][1] == {"year": 2022, "cases": 4, "awards": 3, "selected": 0}


def test_archive_has_a_topic_filter(client, archive):
    from cases.models import Topic

    topic = Topic.objects.create(name="测试领域甲")
    Case.objects.published().filter(title="推进商事登记确认制").update(topic=topic)
    html = client.get(reverse("cases:archive"), {"topic": topic.pk}).content.decode()
    assert 'name="topic"' in html and "测试领域甲" in html
    assert "推进商事登记确认制" in html and "小嘉帮办" not in html
