"""The notice page of a published round shows the published files and what can still be done,
not a form that refuses with 须经公示后才能公布 (which stays the answer before the 公示)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Round
from publishing import publication
from tests.factories import approved_round

pytestmark = pytest.mark.django_db
NOTICE = {"notice_preamble": "第一段。\n第二段。", "notice_attachment": "上海市2024年度附件"}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_published_round_shows_its_files_and_what_can_still_be_done(
    client, staff, media, django_capture_on_commit_callbacks
):
    round_ = approved_round()
    publication.start_publicity(round=round_, now=timezone.now() - datetime.timedelta(days=30))
    with django_capture_on_commit_callbacks(execute=True):
        publication.publish_round(round=round_, notice=NOTICE)
    client.force_login(staff)
    url = reverse("publishing:notice", args=[round_.pk])
    page = client.get(url).content.decode()
    assert "须经公示后才能公布" not in page and 'id="notice-form"' not in page
    assert "通知已印发公布" in page
    for fmt in ("docx", "pdf"):
        assert reverse("publishing:download", args=[round_.pk, fmt]) in page
    assert "现在还可以" in page and "撤回公布" in page
    assert reverse("publishing:certificates", args=[round_.pk]) in page

    saved = Round.objects.get(pk=round_.pk).notice_preamble
    answer = client.post(url, {"notice_preamble": "改过的正文"}, follow=True).content.decode()
    assert "通知已印发公布，不能再修改" in answer
    assert Round.objects.get(pk=round_.pk).notice_preamble == saved


def test_before_the_publicity_the_refusal_stays(client, staff):
    round_ = approved_round()
    client.force_login(staff)
    page = client.get(reverse("publishing:notice", args=[round_.pk])).content.decode()
    assert "须经公示后才能公布" in page and 'id="notice-form"' in page
