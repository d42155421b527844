"""The public reads confirmed adoptions both ways: "已被 N 个区借鉴" on the source case and
"借鉴自 …" on the adopting district's published case."""

import datetime

import pytest
from django.urls import reverse

from cases.models import Adoption, District
from tests.factories import published_case, published_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases_(db):
    source = published_case(
        published_round(2022), tier="优秀案例", rank=1, title="一业一证", district="浦东新区"
    )
    later = published_case(
        published_round(2023, notice_date=datetime.date(2023, 11, 8)),
        tier="优秀案例",
        rank=1,
        title="嘉定一业一证升级版",
        district="嘉定区",
    )
    return source, later


def adopt(source, code, status, own_case=None, since=datetime.date(2023, 2, 1)):
    return Adoption.objects.create(
        source=source,
        district=District.objects.get(code=code),
        description="借鉴",
        since=since,
        stage=Adoption.Stage.EFFECTIVE,
        status=status,
        own_case=own_case,
    )


def page(client, case):
    return client.get(reverse("cases:detail", args=[case.pk])).content.decode()


def test_confirmed_records_show_both_ways(client, cases_):
    source, later = cases_
    adopt(source, "jiading", "confirmed", own_case=later)
    adopt(source, "xuhui", "confirmed", since=datetime.date(2023, 5, 1))
    html = page(client, source)
    assert "已被 2 个区借鉴" in html
    assert "嘉定区 · 2023年2月起 · 已见效" in html and "徐汇区" in html
    assert reverse("cases:detail", args=[later.pk]) in html
    html = page(client, later)
    assert "借鉴自" in html and reverse("cases:detail", args=[source.pk]) in html


def test_pending_and_returned_records_are_not_public(client, cases_):
    source, later = cases_
    adopt(source, "jiading", "pending", own_case=later)
    adopt(source, "xuhui", "returned")
    assert "借鉴" not in page(client, source)
    assert "借鉴自" not in page(client, later)


def test_demo_adoptions_are_valid_idempotent_and_public(client):
    from cases import demo
    from cases.adoption.demo import DEMO_ADOPTIONS, ensure_adoptions

    demo.ensure_archive()
    ensure_adoptions()
    assert ensure_adoptions().startswith("借鉴记录：新建 0 条")
    records = list(Adoption.objects.all())
    assert len(records) == len(DEMO_ADOPTIONS)
    assert {r.status for r in records} == {"pending", "returned", "confirmed"}
    for record in records:
        record.full_clean()
    confirmed = next(r for r in records if r.status == "confirmed")
    assert "个区借鉴" in page(client, confirmed.source)


def test_diffusion_page_counts_confirmed_records(client, cases_):
    source, later = cases_
    adopt(source, "jiading", "confirmed", since=datetime.date(2022, 12, 8))  # 30 days after
    adopt(source, "xuhui", "confirmed", since=datetime.date(2024, 5, 1))
    adopt(later, "pudong", "pending", since=datetime.date(2024, 5, 1))
    html = client.get(reverse("diffusion")).content.decode()
    row = html.split('id="practices"')[1].split("</tr>")[1]
    assert "一业一证" in row
    assert [cell.split(">")[-1] for cell in row.split("</td>")[1:4]] == ["2", "30", "2"]
    assert "嘉定区升级版" not in html and "嘉定一业一证升级版" not in html
    # 浦东 gave one practice in 2022 and one in 2024; 嘉定 took one in 2022.
    table = html.split('id="district-years"')[1]
    assert '<th scope="row">浦东新区</th><td>1 / 0</td><td>1 / 0</td><td>2 / 0</td>' in table
    assert '<th scope="row">嘉定区</th><td>0 / 1</td><td>0 / 0</td><td>0 / 1</td>' in table
    assert client.get(reverse("diffusion"), {"year": "２０２３"}).status_code == 200
