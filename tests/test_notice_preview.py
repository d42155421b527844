"""Staff download the notice's Word and PDF before publishing (#18), and what is published is
what they previewed: the same render over the same round state gives the same document."""

import datetime
import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Round
from publishing import notice_documents, publication
from publishing.models import NoticeDocument
from tests.factories import approved_round_from_notice

pytestmark = pytest.mark.django_db
NOTICE_2022 = Path(__file__).resolve().parent / "data" / "notice_2022.txt"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def ready_round():
    """The 2022 round approved and through its publicity, its notice not yet written."""
    round_ = approved_round_from_notice(NOTICE_2022)
    Round.objects.filter(pk=round_.pk).update(
        status=Round.Status.PUBLICITY,
        publicity_starts=timezone.make_aware(datetime.datetime(2022, 10, 24, 9)),
        publicity_ends=timezone.make_aware(datetime.datetime(2022, 10, 31, 9)),
    )
    round_.refresh_from_db()
    return round_


def docx_parts(data: bytes) -> dict:
    """The Word file's parts, but for the creation time in its core properties."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts.pop("docProps/core.xml")
    return parts


def test_staff_download_a_preview_in_both_formats(client, staff, ready_round):
    client.force_login(staff)
    url = reverse("publishing:notice_preview", args=[ready_round.pk, "docx"])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == notice_documents.CONTENT_TYPES["docx"]
    assert "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    assert response.content[:2] == b"PK"
    page = client.get(reverse("publishing:notice", args=[ready_round.pk])).content.decode()
    assert url in page
    assert reverse("publishing:notice_preview", args=[ready_round.pk, "pdf"]) in page
    missing = reverse("publishing:notice_preview", args=[ready_round.pk, "odt"])
    assert client.get(missing).status_code == 404
    # Nothing was saved by looking.
    ready_round.refresh_from_db()
    assert ready_round.notice_preamble == "" and ready_round.notice_date is None


def test_others_may_not_preview(client, officer_a, ready_round):
    url = reverse("publishing:notice_preview", args=[ready_round.pk, "pdf"])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(officer_a)
    assert client.get(url).status_code == 403


def test_a_notice_the_layout_cannot_place_is_a_message_not_an_error(client, staff, ready_round):
    ready_round.cases.filter(position=1).update(title="")
    client.force_login(staff)
    url = reverse("publishing:notice_preview", args=[ready_round.pk, "docx"])
    response = client.get(url, follow=True)
    assert response.status_code == 200
    assert "缺少标题" in response.content.decode()


def test_the_published_documents_are_the_previewed_ones(
    client, staff, ready_round, media, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    # Staff save the prefilled notice with a 发文字号 and the red header, then preview it.
    form = publication.draft_notice(ready_round)
    form.update(document_number="沪发改营商〔2022〕12号", red_header=True)
    form["notice_date"] = form["notice_date"].isoformat()
    response = client.post(reverse("publishing:notice", args=[ready_round.pk]), form)
    assert response.status_code == 302
    previews = {}
    for fmt in ("docx", "pdf"):
        url = reverse("publishing:notice_preview", args=[ready_round.pk, fmt])
        previews[fmt] = client.get(url).content

    with django_capture_on_commit_callbacks(execute=True):
        publication.publish_round(round=Round.objects.get(pk=ready_round.pk), user=staff)
    for document in NoticeDocument.objects.filter(round=ready_round):
        notice_documents.generate(document_id=document.pk)  # if the worker did not yet
    stored = {d.format: d.file.read() for d in NoticeDocument.objects.filter(round=ready_round)}

    assert docx_parts(stored["docx"]) == docx_parts(previews["docx"])
    assert "沪发改营商".encode() in docx_parts(stored["docx"])["word/document.xml"]
    # The PDF half needs poppler's pdftotext, which `make install` installs (the base group of
    # scripts/system-packages.sh): without it the test fails rather than checking half.
    assert shutil.which("pdftotext"), "pdftotext missing: run `make install` (poppler-utils)"

    def text(data):
        return subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
        ).stdout

    assert text(stored["pdf"]) == text(previews["pdf"])
    assert "沪发改营商〔2022〕12号".encode() in text(stored["pdf"])
