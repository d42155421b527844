"""What the public reads: one date form, no internal labels, an API index, a favicon
(issue #20)."""

import datetime

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from tests.factories import published_case, published_round

pytestmark = pytest.mark.django_db


def render(source, **context):
    return Template("{% load case_tags %}" + source).render(Context(context))


def test_dates_read_one_chinese_way():
    moment = timezone.make_aware(datetime.datetime(2026, 12, 21, 1, 0))
    assert render("{{ d|cn_date }}", d=moment) == "2026年12月21日 01:00"
    assert render("{{ d|cn_date }}", d=datetime.date(2022, 11, 8)) == "2022年11月8日"
    assert render('{{ d|cn_date:"date" }}', d=moment) == "2026年12月21日"
    assert render("{{ d|cn_date }}", d=None) == ""


def test_a_moment_is_shown_in_shanghai_time():
    utc = datetime.datetime(2026, 12, 20, 17, 0, tzinfo=datetime.UTC)
    assert render("{{ d|cn_date }}", d=utc) == "2026年12月21日 01:00"


def test_the_public_never_reads_the_internal_district_label(client):
    round_ = published_round(2022)
    case = published_case(round_, tier="良好实践", rank=8, title="“益”企助企法律服务团")
    assert case.district is None
    pages = [
        client.get(reverse("home")),
        client.get(reverse("cases:archive")),
        client.get(reverse("cases:detail", args=[case.pk])),
    ]
    for page in pages:
        text = page.content.decode()
        assert "区待确认" not in text
    assert "未注明区" in pages[1].content.decode()  # the badge and the district filter


def test_the_api_root_lists_its_endpoints(client):
    answer = client.get("/api/")
    assert answer.status_code == 200 and answer["Content-Type"].startswith("application/json")
    urls = [e["url"] for e in answer.json()["endpoints"]]
    assert any(u.endswith("/api/rounds/") for u in urls)
    assert any(u.endswith("/api/cases/") for u in urls)
    assert any(u.endswith("/api/cases/{id}/") for u in urls)
    for endpoint in answer.json()["endpoints"]:
        assert endpoint["description"]


def test_a_favicon_is_declared_and_served(client):
    page = client.get(reverse("home")).content.decode()
    assert 'rel="icon"' in page and "favicon" in page
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and "favicon" in response["Location"]


def test_statistics_of_an_imported_year_do_not_call_winners_submissions(client):
    import io
    from pathlib import Path

    from django.core.management import call_command

    notice = Path(__file__).resolve().parents[1] / "cases" / "data" / "notices" / "2022.txt"
    call_command("import_notice", str(notice), "--year", "2022", stdout=io.StringIO())
    response = client.get(reverse("publishing:statistics"))
    html = response.content.decode()
    table = response.context["table"]
    assert table["columns"] == [{"year": 2022, "label": "获奖", "imported": True}]
    assert table["totals"][0]["cases"] is None and table["totals"][0]["awards"] == 21
    assert "申报数不详" in html and "区待确认" not in html and "未注明区" in html
    # One chart: a second one of "submissions" would repeat the winners.
    assert response.context["chart"]["cases"] == [] and 'id="cases-chart"' not in html
    # No blank cells: every cell of the table says something.
    table_html = html[html.index('id="stats-table"') : html.index("</table>")]
    assert "<td></td>" not in table_html


def test_feeds_date_a_round_by_its_notice_in_their_own_formats(client):
    round_ = published_round(2022, notice_date=datetime.date(2022, 11, 8))
    published_case(round_, tier="优秀案例", rank=1, title="推进商事登记确认制")
    rss = client.get(reverse("publishing:feed")).content.decode()
    assert "<pubDate>Tue, 08 Nov 2022 00:00:00 +0800</pubDate>" in rss
    atom = client.get(reverse("publishing:feed_atom")).content.decode()
    assert "<published>2022-11-08T00:00:00+08:00</published>" in atom
