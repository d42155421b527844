"""Attachments: the type is read from the content, the size is limited, access is checked."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases import workflow
from cases.models import Attachment

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40


def docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def draft(case_factory, client, officer_a):
    client.force_login(officer_a)
    return case_factory()


def upload(client, case, name, content):
    return client.post(
        reverse("cases:attachment_upload", args=[case.pk]),
        {"file": SimpleUploadedFile(name, content)},
        follow=True,
    )


@pytest.mark.parametrize(
    "name,content,content_type",
    [
        ("方案.pdf", PDF, "application/pdf"),
        ("照片.png", PNG, "image/png"),
        (
            "说明.docx",
            docx_bytes(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("没有扩展名", PDF, "application/pdf"),
    ],
)
def test_it_accepts_pdf_word_and_images_by_content(client, draft, name, content, content_type):
    response = upload(client, draft, name, content)
    attachment = Attachment.objects.get(case=draft)
    assert (attachment.original_name, attachment.content_type, attachment.size) == (
        name,
        content_type,
        len(content),
    )
    assert name not in attachment.file.name  # stored under a random name
    assert f"附件“{name}”已上传。" in response.content.decode()


@pytest.mark.parametrize(
    "name,content",
    [
        ("假装是PDF.pdf", b"just some text, renamed to .pdf"),
        ("脚本.docx", b"#!/bin/sh\nrm -rf /\n"),
        ("压缩包.pdf", b"PK\x03\x04" + b"\x00" * 40),
    ],
)
def test_it_refuses_what_is_not_pdf_word_or_image(client, draft, name, content):
    response = upload(client, draft, name, content)
    assert not Attachment.objects.exists()
    assert f"无法识别“{name}”的文件内容" in response.content.decode()


def test_it_refuses_files_over_the_limit(client, draft, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    response = upload(client, draft, "大文件.pdf", PDF + b"0" * 2000)
    assert not Attachment.objects.exists()
    content = response.content.decode()
    assert "超过了 1.0\xa0KB 的上限" in content or "超过了 1.0 KB 的上限" in content


def test_the_default_limit_is_20_mb(settings):
    from cases.submission import attachments

    del settings.ATTACHMENT_MAX_BYTES
    assert attachments.max_bytes() == 20 * 1024 * 1024


def test_the_owner_downloads_and_another_district_gets_404(client, draft, officer_b):
    upload(client, draft, "方案.pdf", PDF)
    attachment = Attachment.objects.get()
    url = reverse("cases:attachment_download", args=[draft.pk, attachment.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert "attachment" in response["Content-Disposition"]
    client.force_login(officer_b)
    assert client.get(url).status_code == 404
    assert upload(client, draft, "别区的.pdf", PDF).status_code == 404
    assert Attachment.objects.count() == 1


def test_no_uploads_once_submitted(client, draft, officer_a):
    workflow.submit(case=draft, user=officer_a)
    response = client.post(
        reverse("cases:attachment_upload", args=[draft.pk]),
        {"file": SimpleUploadedFile("晚了.pdf", PDF)},
    )
    assert response.status_code == 403
    assert not Attachment.objects.exists()


def test_deleting_an_attachment_removes_the_file(client, draft):
    upload(client, draft, "方案.pdf", PDF)
    attachment = Attachment.objects.get()
    storage, name = attachment.file.storage, attachment.file.name
    assert storage.exists(name)
    client.post(
        reverse("cases:attachment_delete", args=[draft.pk, attachment.pk]), {"confirmed": "yes"}
    )
    assert not Attachment.objects.exists()
    assert not storage.exists(name)


# --- hostile files (issue #16) ----------------------------------------------------------------


def test_a_pdf_named_html_is_stored_and_downloaded_as_pdf(client, draft):
    upload(client, draft, "报告.html", PDF)
    attachment = Attachment.objects.get()
    assert attachment.file.name.endswith(".pdf") and ".html" not in attachment.file.name
    assert attachment.content_type == "application/pdf"
    response = client.get(reverse("cases:attachment_download", args=[draft.pk, attachment.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and ".html" not in disposition
    assert "%E6%8A%A5%E5%91%8A.pdf" in disposition  # 报告.pdf
    assert b"".join(response.streaming_content) == PDF


def test_media_root_is_never_served_even_in_debug(client, draft, settings):
    import importlib

    from django.urls import Resolver404, clear_url_caches, resolve

    import bizenv.urls

    upload(client, draft, "方案.pdf", PDF)
    name = Attachment.objects.get().file.name
    settings.DEBUG = True
    try:
        importlib.reload(bizenv.urls)
        clear_url_caches()
        with pytest.raises(Resolver404):
            resolve(f"/media/{name}")
        client.logout()
        assert client.get(f"/media/{name}").status_code == 404
    finally:
        settings.DEBUG = False
        importlib.reload(bizenv.urls)
        clear_url_caches()


def zip_bytes(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            z.writestr(name, data)
    return buffer.getvalue()


def test_a_docx_that_inflates_to_200_mb_is_refused(client, draft):
    bomb = zip_bytes(
        [
            ("[Content_Types].xml", "<Types/>"),
            ("word/document.xml", b"<w:document/>" + b" " * (200 * 1024 * 1024)),
        ]
    )
    assert len(bomb) < 300 * 1024
    response = upload(client, draft, "炸弹.docx", bomb)
    assert not Attachment.objects.exists()
    assert "解压后超过" in response.content.decode()


def test_a_docx_with_too_many_parts_is_refused(client, draft):
    parts = [("[Content_Types].xml", "<Types/>"), ("word/document.xml", "<w:document/>")]
    parts += [(f"word/media/{i}.xml", "x") for i in range(1000)]
    response = upload(client, draft, "部件.docx", zip_bytes(parts))
    assert not Attachment.objects.exists()
    assert "部件过多" in response.content.decode()


DOS_STUB = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 50
DOS_STUB += b"This program cannot be run in DOS mode.\r\r\n$"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 200


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.4\n" + DOS_STUB + b"\x00" * 500,  # a short header glued onto a program
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + ELF,
        b"%PDF-1.4\n" + ELF + b"\n%%EOF\n",  # %%EOF appended, no object
        b"%PDF-1.4\n1 0 obj<<>>endobj\n",  # the start of a PDF, never ended
    ],
)
def test_a_pdf_header_on_something_else_is_refused(client, draft, content):
    response = upload(client, draft, "说明.pdf", content)
    assert not Attachment.objects.exists()
    assert "无法识别“说明.pdf”的文件内容" in response.content.decode()


def test_a_pdf_carrying_a_program_is_refused(client, draft):
    content = b"%PDF-1.4\n1 0 obj<</Type/EmbeddedFile>>stream\n" + DOS_STUB
    content += b"\nendstream endobj\ntrailer<<>>\n%%EOF\n"
    response = upload(client, draft, "带程序.pdf", content)
    assert not Attachment.objects.exists()
    assert "含有可执行程序" in response.content.decode()


def test_a_real_pdf_with_a_binary_marker_line_is_accepted(client, draft):
    content = b"%PDF-1.7\r\n%\xe2\xe3\xcf\xd3\r\n\r\n12 0 obj\r\n<<>>\r\nendobj\r\n"
    content += b"startxref\r\n0\r\n%%EOF"
    upload(client, draft, "扫描件.pdf", content)
    assert Attachment.objects.get().content_type == "application/pdf"
