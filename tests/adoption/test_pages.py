"""Officers record and edit their own district's adoptions, staff confirm or return them, the
source district reads who took its practice up; the mails go after commit."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from cases.models import Adoption
from tests.factories import published_case, published_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def source(district_b):
    round_ = published_round(2022)
    return published_case(round_, tier="优秀案例", rank=1, title="一业一证", district="浦东新区")


def client_for(client, user):
    client.force_login(user)
    return client


def post_record(client, source, **extra):
    data = {
        "source": str(source.pk),
        "description": "参照浦东做法推行一业一证。",
        "since": "2023-03-01",
        "stage": "implemented",
    }
    data.update(extra)
    return client.post(reverse("cases:adoption_create"), data)


def test_officer_records_staff_confirms_both_districts_are_mailed(
    client, source, officer_a, officer_b, staff, django_capture_on_commit_callbacks
):
    officer_a.email, officer_b.email, staff.email = "a@jd.gov.cn", "b@pd.gov.cn", "s@fgw.gov.cn"
    for user in (officer_a, officer_b, staff):
        user.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = post_record(client_for(client, officer_a), source)
    adoption = Adoption.objects.get()
    assert response.status_code == 302
    assert (adoption.district, adoption.status) == (officer_a.district, "pending")
    assert [m.to for m in mail.outbox] == [["s@fgw.gov.cn"]]

    client.logout()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(client, staff).post(
            reverse("cases:adoption_review", args=[adoption.pk]),
            {"action": "confirm", "comment": "属实"},
        )
    adoption.refresh_from_db()
    assert (adoption.status, adoption.reviewed_by) == ("confirmed", staff)
    assert sorted(mail.outbox[-1].to) == ["a@jd.gov.cn", "b@pd.gov.cn"]
    # The audit trail (simple_history) names the staff member who confirmed it.
    assert adoption.history.first().history_user == staff


def test_return_needs_a_comment_and_editing_waits_for_staff_again(client, source, officer_a, staff):
    post_record(client_for(client, officer_a), source)
    adoption = Adoption.objects.get()
    client.logout()
    client_for(client, staff)
    url = reverse("cases:adoption_review", args=[adoption.pk])
    response = client.post(url, {"action": "return", "comment": "  "}, follow=True)
    assert "退回时请写明原因" in response.content.decode()
    client.post(url, {"action": "return", "comment": "请补充数据"})
    adoption.refresh_from_db()
    assert (adoption.status, adoption.staff_comment) == ("returned", "请补充数据")
    client.logout()
    client_for(client, officer_a)
    edit = reverse("cases:adoption_edit", args=[adoption.pk])
    assert "请补充数据" in client.get(edit).content.decode()
    client.post(
        edit,
        {
            "source": str(source.pk),
            "description": "补充了数据",
            "since": "2023-03-01",
            "stage": "effective",
        },
    )
    adoption.refresh_from_db()
    assert (adoption.status, adoption.stage) == ("pending", "effective")


def test_the_form_refuses_the_districts_own_practice_and_an_early_date(
    client, source, officer_b, officer_a
):
    response = post_record(client_for(client, officer_b), source)
    assert response.status_code == 200
    assert "请填写其他区已公布案例的编号" in response.content.decode()
    client.logout()
    response = post_record(client_for(client, officer_a), source, since="2022-01-01")
    assert "借鉴时间不能早于" in response.content.decode()
    assert not Adoption.objects.exists()


def test_other_districts_learn_nothing_and_the_source_district_only_reads(
    client, source, officer_a, officer_b, district_a
):
    from cases.models import District
    from tests.conftest import make_user

    adoption = Adoption.objects.create(
        source=source,
        district=district_a,
        description="借鉴",
        since=datetime.date(2023, 1, 1),
        stage="deployed",
    )
    third = make_user(
        "officer_c", role="officer", district=District.objects.get(code="xuhui"), organisation="x"
    )
    client_for(client, third)
    for name in ("cases:adoption_detail", "cases:adoption_edit"):
        assert client.get(reverse(name, args=[adoption.pk])).status_code == 404
    assert "一业一证" not in client.get(reverse("cases:adoptions")).content.decode()
    client.logout()
    client_for(client, officer_b)  # the source district
    assert client.get(reverse("cases:adoption_detail", args=[adoption.pk])).status_code == 200
    assert client.get(reverse("cases:adoption_edit", args=[adoption.pk])).status_code == 403
    listing = client.get(reverse("cases:adoptions")).content.decode()
    assert "嘉定区" in listing and "一业一证" in listing


def test_the_audit_trail_lists_a_record_under_its_source_case(client, source, officer_a, staff):
    post_record(client_for(client, officer_a), source)
    client.logout()
    client_for(client, staff)
    page = client.get(reverse("accounts:audit"), {"case": source.pk}).content.decode()
    assert "共 2 条记录" in page  # the source case's creation and the record's
    assert f"借鉴记录 #{Adoption.objects.get().pk}" in page
