"""Checking uploaded attachments: the type is read from the content, never from the name."""

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MAX_PER_CASE = 10

# Detected extension → MIME type. Old .doc files are OLE containers.
ALLOWED = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "jpg": "image/jpeg",
    "png": "image/png",
}
HEAD_BYTES = 8192


def max_bytes() -> int:
    return int(getattr(settings, "ATTACHMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def detect(uploaded) -> str | None:
    """The detected extension of an uploaded file if it is one we accept, else None."""
    uploaded.seek(0)
    head = uploaded.read(HEAD_BYTES)
    uploaded.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.extension not in ALLOWED:
        return None
    return kind.extension


def validate_upload(uploaded) -> str:
    """Raise a ValidationError in plain Chinese, or return the detected extension."""
    limit = max_bytes()
    if uploaded.size > limit:
        raise ValidationError(
            _("文件“%(name)s”大小为 %(size)s，超过了 %(limit)s 的上限，请压缩后再上传。")
            % {
                "name": uploaded.name,
                "size": filesizeformat(uploaded.size),
                "limit": filesizeformat(limit),
            }
        )
    if uploaded.size == 0:
        raise ValidationError(_("文件“%(name)s”是空文件。") % {"name": uploaded.name})
    extension = detect(uploaded)
    if extension is None:
        raise ValidationError(
            _(
                "无法识别“%(name)s”的文件内容。只能上传 PDF、Word（doc/docx）或图片（JPG/PNG）"
                "文件；仅修改扩展名不会改变文件类型。"
            )
            % {"name": uploaded.name}
        )
    return extension


def content_type_of(extension: str) -> str:
    return ALLOWED[extension]
