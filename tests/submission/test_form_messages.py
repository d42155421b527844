"""One style of required-field message per form (请填写/请选择 + the field), never Django's
generic one beside a custom one; a file input marked required only where a file is."""

import pytest
from django.urls import reverse

from cases.models import Case
from cases.submission.forms import AttachmentForm, CaseForm
from reviews.forms import UploadForm

GENERIC = "这个字段是必须的。"


@pytest.mark.django_db
def test_every_missing_field_of_a_complete_case_is_named_alike():
    form = CaseForm(data={}, complete=True, instance=Case())
    assert not form.is_valid()
    messages = [m for errors in form.errors.values() for m in errors]
    assert len(messages) >= 6 and GENERIC not in messages
    assert all(m.startswith(("请填写", "请选择")) and m.endswith("。") for m in messages)
    assert "请填写主标题。" in messages and "请选择领域。" in messages
    assert "请填写工作背景。" in messages  # the heading's 一、 left out


@pytest.mark.django_db
def test_a_draft_needs_only_its_title():
    form = CaseForm(data={}, complete=False, instance=Case())
    assert form.errors == {"title": ["保存草稿至少需要填写主标题。"]}


def test_the_attachment_input_is_not_marked_required_but_asks_for_a_file():
    form = AttachmentForm()
    assert not form.fields["file"].required
    assert "required" not in str(form["file"])
    assert AttachmentForm(data={}, files={}).errors == {"file": ["请选择要上传的文件。"]}
    assert UploadForm().fields["file"].required  # the score upload needs its file


@pytest.mark.django_db
def test_uploading_nothing_says_so_on_the_page(client, officer_a, case_factory):
    case = case_factory()
    client.force_login(officer_a)
    page = client.post(
        reverse("cases:attachment_upload", args=[case.pk]), {}, follow=True
    ).content.decode()
    assert "请选择要上传的文件。" in page
    assert "asteriskField" not in page.split('id="attachments"')[1].split("</form>")[0]
