"""The 公示 page as the public reads it: who issues it, the period, how to object and where;
the listed cases' texts; objections with a reachable contact and a reference code (#20)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.models import Round
from core.identifiers import IdentifierError, normalise_contact
from publishing import objections, publication
from publishing.models import Objection
from tests.factories import approved_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_():
    round_ = approved_round(objection_contact="市发展改革委营商环境处\n电话：021-23112311")
    publication.start_publicity(round=round_)
    round_.refresh_from_db()
    return round_


def listed(round_, title):
    return round_.cases.get(title=title)


def test_the_page_names_the_authority_the_period_the_way_and_the_contact(client, round_):
    page = client.get(reverse("publishing:publicity", args=[round_.pk])).content.decode()
    assert "公示单位" in page and "上海市发展和改革委员会" in page
    assert "公示期" in page and "个工作日" in page
    assert "如何提出异议" in page and "查询码" in page
    assert "市发展改革委营商环境处" in page and "021-23112311" in page


def test_case_titles_open_the_case_text_under_publicity(client, round_):
    case = listed(round_, "推进商事登记确认制")
    list_page = client.get(reverse("publishing:publicity", args=[round_.pk])).content.decode()
    url = reverse("publishing:publicity_case", args=[round_.pk, case.pk])
    assert url in list_page
    page = client.get(url)
    assert page.status_code == 200 and "浦东新区以立法为抓手" in page.content.decode()


def test_the_case_view_is_for_listed_cases_of_rounds_in_publicity_or_published(client, round_):
    case = listed(round_, "推进商事登记确认制")
    url = reverse("publishing:publicity_case", args=[round_.pk, case.pk])
    other = approved_round(2025)  # approved, not yet shown: nothing to read
    other_case = other.cases.first()
    assert (
        client.get(reverse("publishing:publicity_case", args=[other.pk, other_case.pk])).status_code
        == 404
    )
    assert (
        client.get(
            reverse("publishing:publicity_case", args=[round_.pk, other_case.pk])
        ).status_code
        == 404
    )
    Round.objects.filter(pk=round_.pk).update(status=Round.Status.REVIEW)
    assert client.get(url).status_code == 404
    Round.objects.filter(pk=round_.pk).update(status=Round.Status.PUBLISHED)
    assert client.get(url).status_code == 200


def test_a_published_rounds_publicity_page_stays_readable_and_refuses_objections(client, round_):
    Round.objects.filter(pk=round_.pk).update(status=Round.Status.PUBLISHED)
    page = client.get(reverse("publishing:publicity", args=[round_.pk]))
    assert page.status_code == 200 and "公示期已结束" in page.content.decode()
    assert client.get(reverse("publishing:object", args=[round_.pk])).status_code == 404


@pytest.mark.parametrize(
    "typed, stored",
    [
        ("138 0013 8000", "13800138000"),
        ("(021)6234 5678", "021-62345678"),
        ("０２１－１２３４５６７８", "021-12345678"),
        ("Zhang@Example.COM", "Zhang@example.com"),
    ],
)
def test_contacts_are_stored_in_one_form(typed, stored):
    assert normalise_contact(typed) == stored


@pytest.mark.parametrize("typed", ["随便", "12345", "zhang@", "62345678"])
def test_an_unreachable_contact_is_refused(typed):
    with pytest.raises(IdentifierError):
        normalise_contact(typed)


def test_an_objection_without_a_reachable_contact_is_refused(round_):
    with pytest.raises(ValidationError, match="手机号"):
        objections.file_objection(
            case=listed(round_, "智能退税"), name="张三", contact="找我", grounds="不实"
        )
    assert not Objection.objects.exists()


def test_the_form_says_so_on_the_page(client, round_):
    case = listed(round_, "智能退税")
    response = client.post(
        reverse("publishing:object", args=[round_.pk]),
        {"case": case.pk, "name": "张三", "contact": "随便", "grounds": "数据不实"},
    )
    assert response.status_code == 200 and "带区号的固定电话" in response.content.decode()
    assert not Objection.objects.exists()


def test_the_objector_gets_a_code_once_and_reads_the_answer_with_it(client, round_, staff):
    case = listed(round_, "智能退税")
    response = client.post(
        reverse("publishing:object", args=[round_.pk]),
        {"case": case.pk, "name": "张三", "contact": "13800138000", "grounds": "数据不实"},
    )
    assert response.status_code == 302 and response.url == reverse("publishing:objection_status")
    page = client.get(response.url).content.decode()
    start = page.index('data-testid="reference-code">') + len('data-testid="reference-code">')
    code = page[start : page.index("<", start)]
    assert len(code) == 14 and code.count("-") == 2
    # Shown once: a second visit shows no code.
    assert 'data-testid="reference-code"' not in client.get(response.url).content.decode()
    objection = Objection.objects.get()
    assert code not in (objection.reference_hash, objection.contact, objection.name)
    status_url = reverse("publishing:objection_status")
    waiting = client.post(status_url, {"code": code.lower().replace("-", " ")})
    assert "待处理" in waiting.content.decode() and "张三" not in waiting.content.decode()
    objections.dismiss_objection(objection=objection, user=staff, reason="经核实，数据无误。")
    answered = client.post(status_url, {"code": code}).content.decode()
    assert "不予采纳" in answered and "经核实，数据无误。" in answered
    assert "13800138000" not in answered and "张三" not in answered


def test_a_wrong_code_finds_nothing(client, round_):
    objection = objections.file_objection(
        case=listed(round_, "智能退税"), name="张三", contact="13800138000", grounds="不实"
    )
    assert objection.reference_code
    response = client.post(reverse("publishing:objection_status"), {"code": "AAAA-BBBB-CCCC"})
    assert response.status_code == 404 and "没有找到" in response.content.decode()


def test_codes_are_unguessable_and_distinct():
    codes = {objections.new_reference_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(c.replace("-", "")) == 12 for c in codes)


def test_the_public_pages_never_show_who_objected(client, round_):
    objections.file_objection(
        case=listed(round_, "智能退税"), name="王五公司", contact="wang@example.com", grounds="不实"
    )
    for url in (
        reverse("publishing:publicity", args=[round_.pk]),
        reverse("publishing:publicity_case", args=[round_.pk, listed(round_, "智能退税").pk]),
        reverse("home"),
    ):
        text = client.get(url).content.decode()
        assert "王五公司" not in text and "wang@example.com" not in text
