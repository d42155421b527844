"""Protected downloads go out as attachments with nosniff, through nginx when it is there."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models.fields.files import FieldFile, FileField
from django.test import override_settings

from core.downloads import protected_file_response


def stored(name, data):
    saved = default_storage.save(name, ContentFile(data))
    return FieldFile(None, FileField(), saved)


def test_without_nginx_django_sends_the_file_as_an_attachment(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    fieldfile = stored("notices/1/notice.pdf", b"%PDF-1.7 body")
    response = protected_file_response(
        fieldfile, filename="通知.pdf", content_type="application/pdf"
    )
    assert b"".join(response.streaming_content) == b"%PDF-1.7 body"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "X-Accel-Redirect" not in response


def test_behind_nginx_the_view_answers_with_an_internal_redirect_and_no_body(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    fieldfile = stored("notices/1/notice 1.pdf", b"%PDF-1.7 body")
    with override_settings(PROTECTED_DOWNLOADS_PREFIX="/protected/"):
        response = protected_file_response(
            fieldfile, filename="通知.pdf", content_type="application/pdf"
        )
    assert response["X-Accel-Redirect"] == "/protected/" + fieldfile.name.replace(" ", "%20")
    assert response.content == b""
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == "attachment; filename*=utf-8''%E9%80%9A%E7%9F%A5.pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
