"""The case form: drafts, submission, and nothing typed lost on an error."""

import html

import pytest
from django.urls import reverse

from cases.models import Case, Topic

S = Case.Status


def form_data(**overrides):
    data = {
        "title": "推进商事登记确认制",
        "subtitle": "持续创新市场准入便利化改革",
        "topic": str(Topic.objects.get(name="市场准入").pk),
        "summary": "浦东新区率先实行商事登记确认制，企业开办全程网办。",
        "lead": "",
        "background": "企业反映登记材料多、环节多。\n\n  审批时间长。",
        "approach": "一是实行确认制。\n二是推行告知承诺。",
        "results": "企业开办时间压缩至1天，年均办件量83.97万件。",
        "contact_name": "张浦东",
        "contact_phone": "13812345678",
        "figures-TOTAL_FORMS": "2",
        "figures-INITIAL_FORMS": "0",
        "figures-MIN_NUM_FORMS": "0",
        "figures-MAX_NUM_FORMS": "12",
        "figures-0-indicator": "年均办件量",
        "figures-0-value": "83.97",
        "figures-0-unit": "万件",
        "figures-1-indicator": "",
        "figures-1-value": "",
        "figures-1-unit": "",
        "action": "draft",
    }
    data.update(overrides)
    return data


@pytest.fixture
def officer(client, officer_a):
    client.force_login(officer_a)
    return officer_a


def create_url(round_):
    return reverse("cases:submission_create", args=[round_.pk])


def test_a_draft_needs_only_a_title(client, officer, open_round):
    response = client.post(
        create_url(open_round),
        {"title": "只有标题的草稿", "figures-TOTAL_FORMS": "0", "figures-INITIAL_FORMS": "0"},
    )
    case = Case.objects.get(title="只有标题的草稿")
    assert response.status_code == 302
    assert response.url == reverse("cases:submission_edit", args=[case.pk])
    assert case.status == S.DRAFT and case.sections == [] and case.created_by == officer


def test_a_draft_without_title_is_refused_with_a_clear_message(client, officer, open_round):
    response = client.post(create_url(open_round), form_data(title=""))
    assert response.status_code == 200
    assert "保存草稿至少需要填写主标题。" in response.content.decode()
    assert not Case.objects.exists()


def test_the_district_comes_from_the_account_not_the_form(client, officer, open_round, district_b):
    client.post(create_url(open_round), form_data(district=str(district_b.pk)))
    case = Case.objects.get()
    assert case.district == officer.district


def test_sections_and_figures_are_stored_as_printed(client, officer, open_round):
    client.post(create_url(open_round), form_data(lead="导语一段。"))
    case = Case.objects.get()
    assert case.sections == [
        {"heading": "", "body": "导语一段。"},
        {"heading": "一、工作背景", "body": "企业反映登记材料多、环节多。\n审批时间长。"},
        {"heading": "二、主要做法", "body": "一是实行确认制。\n二是推行告知承诺。"},
        {"heading": "三、取得成效", "body": "企业开办时间压缩至1天，年均办件量83.97万件。"},
    ]
    assert [(f.indicator, f.value, f.unit) for f in case.key_figures.all()] == [
        ("年均办件量", "83.97", "万件")
    ]


def test_editing_shows_what_was_saved(client, officer, open_round):
    client.post(create_url(open_round), form_data())
    case = Case.objects.get()
    content = client.get(reverse("cases:submission_edit", args=[case.pk])).content.decode()
    assert "二是推行告知承诺。" in content
    assert 'value="83.97"' in content


def test_submit_from_the_form_locks_the_case(client, officer, open_round):
    response = client.post(create_url(open_round), form_data(action="submit"))
    case = Case.objects.get()
    # Saved, then asked to confirm (nothing submitted yet).
    submit_url = reverse("cases:submission_submit", args=[case.pk])
    assert response.url == submit_url
    assert case.status == S.DRAFT
    assert "确认提交" in client.get(submit_url).content.decode()
    response = client.post(submit_url, {"confirmed": "yes"})
    assert response.url == reverse("cases:submission_detail", args=[case.pk])
    case.refresh_from_db()
    assert case.status == S.SUBMITTED
    assert client.get(reverse("cases:submission_edit", args=[case.pk])).status_code == 403
    client.post(reverse("cases:submission_edit", args=[case.pk]), form_data(title="偷偷改标题"))
    case.refresh_from_db()
    assert case.title == "推进商事登记确认制"


def test_save_and_preview_shows_the_printed_layout(client, officer, open_round):
    response = client.post(create_url(open_round), form_data(action="preview"), follow=True)
    content = response.content.decode()
    assert "排名×" not in content  # no rank yet: no placeholder
    assert "——持续创新市场准入便利化改革" in content
    assert "<h3>二、主要做法</h3>" in content
    assert "<p>二是推行告知承诺。</p>" in content


ERRORS = {
    "bad phone": ({"contact_phone": "12345"}, "请输入有效的联系电话"),
    "bad figure": ({"figures-0-value": "约84万"}, "数值请只填数字"),
    "summary too long": ({"summary": "长" * 301}, "300"),
    "submit without topic": ({"topic": "", "action": "submit"}, "请选择领域。"),
}


@pytest.mark.parametrize("case_name", list(ERRORS))
def test_an_error_keeps_every_typed_value(client, officer, open_round, case_name):
    overrides, message = ERRORS[case_name]
    data = form_data(**overrides)
    response = client.post(create_url(open_round), data)
    assert response.status_code == 200
    assert not Case.objects.exists()
    content = html.unescape(response.content.decode())
    assert message in content
    for name, value in data.items():
        if name.startswith("figures-") and name.endswith("_FORMS") or name == "action":
            continue
        if name == "topic" and value:
            assert f'value="{value}" selected' in content
        elif value:
            assert value in content, name


def test_an_error_while_editing_keeps_every_typed_value(client, officer, case_factory):
    case = case_factory()
    data = form_data(
        title="改过的标题", approach="新写的做法第一段。\n新写的做法第二段。", contact_phone="abc"
    )
    response = client.post(reverse("cases:submission_edit", args=[case.pk]), data)
    content = html.unescape(response.content.decode())
    assert response.status_code == 200
    assert "改过的标题" in content and "新写的做法第一段。\n新写的做法第二段。" in content
    case.refresh_from_db()
    assert case.title == "一窗通办提速企业开办"  # nothing half-saved


def test_a_failed_submit_still_saves_the_draft_and_says_why(
    client, officer, open_round, case_factory
):
    case_factory(S.SUBMITTED, title="已申报一")
    case_factory(S.SUBMITTED, title="已申报二")
    response = client.post(create_url(open_round), form_data(action="submit"), follow=True)
    case = Case.objects.get(title="推进商事登记确认制")
    assert case.status == S.DRAFT
    content = response.content.decode()
    assert "已达每区上限 2 个" in content  # warned on the confirmation page, before confirming
    response = client.post(
        reverse("cases:submission_submit", args=[case.pk]), {"confirmed": "yes"}, follow=True
    )
    case.refresh_from_db()
    assert case.status == S.DRAFT
    assert "已达每区上限 2 个" in response.content.decode()


def test_key_figure_rows_can_be_deleted(client, officer, open_round):
    client.post(create_url(open_round), form_data())
    case = Case.objects.get()
    figure = case.key_figures.get()
    data = form_data(
        **{
            "figures-TOTAL_FORMS": "1",
            "figures-INITIAL_FORMS": "1",
            "figures-0-id": str(figure.pk),
            "figures-0-case": str(case.pk),
            "figures-0-DELETE": "on",
        }
    )
    client.post(reverse("cases:submission_edit", args=[case.pk]), data)
    assert not case.key_figures.exists()


def test_the_form_carries_the_autosave_key(client, officer, open_round):
    content = client.get(create_url(open_round)).content.decode()
    assert f'data-autosave-key="case-form:{officer.pk}:{open_round.pk}:new"' in content
    assert "js/case_form.js" in content
