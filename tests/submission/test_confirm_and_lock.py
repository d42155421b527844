"""The officer's irreversible steps ask first, without script (core.confirm); a locked case
explains itself; a returned case keeps the commission's comment on its edit form (#20)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases import workflow
from cases.models import Attachment, Case

S = Case.Status
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def officer(client, officer_a):
    client.force_login(officer_a)
    return officer_a


def submit_url(case):
    return reverse("cases:submission_submit", args=[case.pk])


def test_submitting_asks_first_and_changes_nothing_until_confirmed(client, officer, case_factory):
    case = case_factory()
    for response in (client.get(submit_url(case)), client.post(submit_url(case))):
        content = response.content.decode()
        assert response.status_code == 200
        assert "请确认：提交申报" in content
        assert "占用本区申报名额：提交后本区已申报 1 / 2 个" in content
        assert 'name="confirmed" value="yes"' in content
    case.refresh_from_db()
    assert case.status == S.DRAFT

    response = client.post(submit_url(case), {"confirmed": "yes"})
    assert response.url == reverse("cases:submission_detail", args=[case.pk])
    case.refresh_from_db()
    assert case.status == S.SUBMITTED


def test_the_confirmation_warns_of_what_would_refuse_the_step(client, officer, case_factory):
    case = case_factory(summary="")
    content = client.get(submit_url(case)).content.decode()
    assert "案例尚不完整" in content


def test_deleting_an_attachment_asks_first(client, officer, case_factory):
    case = case_factory()
    client.post(
        reverse("cases:attachment_upload", args=[case.pk]),
        {"file": SimpleUploadedFile("实施方案.pdf", PDF)},
    )
    attachment = Attachment.objects.get()
    url = reverse("cases:attachment_delete", args=[case.pk, attachment.pk])
    content = client.post(url).content.decode()
    assert "请确认：删除附件" in content and "实施方案.pdf" in content
    assert Attachment.objects.filter(pk=attachment.pk).exists()
    assert attachment.file.storage.exists(attachment.file.name)

    client.post(url, {"confirmed": "yes"})
    assert not Attachment.objects.exists()


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_submitted_case_explains_the_lock_and_the_way_back(client, officer, case_factory, method):
    case = case_factory(S.SUBMITTED)
    response = getattr(client, method)(reverse("cases:submission_edit", args=[case.pk]))
    content = response.content.decode()
    assert response.status_code == 403
    assert "已提交，已锁定" in content
    assert "申请退回修改" in content
    assert reverse("cases:submission_detail", args=[case.pk]) + "#withdraw" in content
    case.refresh_from_db()
    assert case.status == S.SUBMITTED


def test_another_district_still_learns_nothing_of_a_locked_case(client, officer_b, case_factory):
    case = case_factory(S.SUBMITTED, title="嘉定区保密案例标题")
    client.force_login(officer_b)
    response = client.get(reverse("cases:submission_edit", args=[case.pk]))
    assert response.status_code == 404
    assert "嘉定区保密案例标题" not in response.content.decode()


def test_the_staff_comment_stands_on_the_edit_form_of_a_returned_case(
    client, officer, case_factory, staff
):
    case = case_factory(S.SUBMITTED)
    workflow.return_for_revision(case=case, user=staff, reason="请补充可量化的成效数据。")
    content = client.get(reverse("cases:submission_edit", args=[case.pk])).content.decode()
    assert 'id="staff-comment"' in content
    assert "市发改委退回修改意见" in content
    assert "请补充可量化的成效数据。" in content


def test_a_draft_edit_form_has_no_staff_comment(client, officer, case_factory):
    case = case_factory()
    content = client.get(reverse("cases:submission_edit", args=[case.pk])).content.decode()
    assert 'id="staff-comment"' not in content


def test_a_case_without_a_rank_shows_no_rank_placeholder(client, officer, case_factory):
    case = case_factory()
    for name in ("cases:submission_detail", "cases:submission_preview"):
        content = client.get(reverse(name, args=[case.pk])).content.decode()
        assert "排名×" not in content
        assert "排名" not in content.split('id="printed-case"')[1].split("</article>")[0]


def test_deleting_a_draft_asks_first(client, officer, case_factory):
    case = case_factory()
    url = reverse("cases:submission_delete", args=[case.pk])
    assert "请确认：删除草稿" in client.post(url).content.decode()
    assert Case.objects.filter(pk=case.pk).exists()
    assert client.post(url, {"confirmed": "yes"}).url == reverse("cases:my_cases")
    assert not Case.objects.filter(pk=case.pk).exists()
