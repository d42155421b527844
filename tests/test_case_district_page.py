"""Staff name the district of a case whose text names none, on the case's page (issue #19: no
admin for ordinary work). Never guessed: a person chooses; the history row says who."""

import pytest
from django.urls import reverse

from cases.models import Case, District
from tests.factories import published_case, published_round


@pytest.fixture
def unnamed(db):
    round_ = published_round(2022)
    return published_case(round_, tier="良好实践", rank=8, title="“益”企助企法律服务团")


def test_staff_assign_the_district_the_text_does_not_name(client, staff, unnamed):
    assert unnamed.district_id is None
    client.force_login(staff)
    page = client.get(reverse("cases:staff_case", args=[unnamed.pk])).content.decode()
    assert "未注明所在区" in page and "长宁区" in page
    changning = District.objects.get(code="changning")
    url = reverse("cases:staff_case_district", args=[unnamed.pk])
    response = client.post(url, {"district": changning.pk}, follow=True)
    assert "已将案例所在区指定为长宁区" in response.content.decode()
    unnamed.refresh_from_db()
    assert unnamed.district == changning
    record = unnamed.history.first()
    assert record.history_user == staff and record.history_change_reason == "工作人员指定所在区"


def test_a_named_district_is_not_replaced(client, staff, unnamed):
    jiading = District.objects.get(code="jiading")
    Case.objects.filter(pk=unnamed.pk).update(district=jiading)
    client.force_login(staff)
    url = reverse("cases:staff_case_district", args=[unnamed.pk])
    changning = District.objects.get(code="changning")
    response = client.post(url, {"district": changning.pk}, follow=True)
    assert "该案例已有所在区" in response.content.decode()
    unnamed.refresh_from_db()
    assert unnamed.district == jiading


@pytest.mark.parametrize("value", ["", "abc", "99999999999999999999999", "0"])
def test_no_district_chosen_is_refused_in_chinese(client, staff, unnamed, value):
    client.force_login(staff)
    url = reverse("cases:staff_case_district", args=[unnamed.pk])
    response = client.post(url, {"district": value}, follow=True)
    assert response.status_code == 200 and "请选择案例所在的区" in response.content.decode()
    unnamed.refresh_from_db()
    assert unnamed.district_id is None


def test_only_staff_assign(client, officer_a, unnamed):
    client.force_login(officer_a)
    url = reverse("cases:staff_case_district", args=[unnamed.pk])
    assert client.post(url, {"district": 1}).status_code == 403
