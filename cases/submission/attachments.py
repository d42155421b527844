"""Uploaded attachments: checked by their content, stored under the type found, counted under a
lock. The one door is ``store``; the form only calls ``validate_upload`` for its messages.

- The type is read from the content, never from the name, and the file is stored under the
  extension of that type (``attachment_path`` reads ``content_type``): a ``.html`` whose bytes
  are a PDF is stored and downloaded as ``.pdf``.
- A PDF must look like one past its first line (an object after the header, ``%%EOF`` at the
  end, no executable inside): a ``%PDF`` header glued onto a program is refused.
- A Word file (a zip) is refused past ``MAX_ZIP_MEMBERS`` members or ``MAX_INFLATED_BYTES``
  inflated (declared and actually inflated): a 200 KB file that inflates to 200 MB is a bomb.
"""

import re
import zipfile
import zlib
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from cases.models.case import ATTACHMENT_TYPES as ALLOWED
from cases.models.case import EXTENSION_OF, stored_extension
from core.downloads import protected_file_response

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
MAX_PER_CASE = 10
MAX_ZIP_MEMBERS = 1000
MAX_INFLATED_BYTES = 100 * 1024 * 1024

# Names people give files of each type, kept when they download it again.
ALIASES = {"jpg": {"jpg", "jpeg"}}
HEAD_BYTES = 8192
CHUNK = 1 << 20

# After "%PDF-1.x" and its comment lines (the binary marker), a PDF's body begins with an
# indirect object ("1 0 obj").
PDF_HEADER = re.compile(rb"%PDF-[0-9]\.[0-9][^\r\n]*[\r\n]+(?:%[^\r\n]*[\r\n]+|\s)*")
PDF_FIRST_OBJECT = re.compile(rb"[0-9]+\s+[0-9]+\s+obj\b")
PDF_TAIL_BYTES = 1024
# Programs: the DOS stub of every Windows PE file, ELF (class, byte order, version 1) and
# 64-bit Mach-O headers. Long enough never to occur by chance in a document's streams.
EXECUTABLE_MARKS = (
    b"This program cannot be run in DOS mode",
    b"\x7fELF\x01\x01\x01",
    b"\x7fELF\x02\x01\x01",
    b"\x7fELF\x01\x02\x01",
    b"\x7fELF\x02\x02\x01",
    b"\xcf\xfa\xed\xfe\x07\x00\x00\x01",
    b"\xcf\xfa\xed\xfe\x0c\x00\x00\x01",
)


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


def _unreadable(uploaded):
    return ValidationError(
        _(
            "无法识别“%(name)s”的文件内容。只能上传 PDF、Word（doc/docx）或图片（JPG/PNG）"
            "文件；仅修改扩展名不会改变文件类型。"
        )
        % {"name": uploaded.name}
    )


def _chunks(uploaded):
    """The file in chunks that overlap by enough to find any mark across a boundary."""
    overlap = max(len(m) for m in EXECUTABLE_MARKS)
    uploaded.seek(0)
    previous = b""
    while chunk := uploaded.read(CHUNK):
        yield previous + chunk
        previous = chunk[-overlap:]
    uploaded.seek(0)


def check_pdf(uploaded) -> None:
    uploaded.seek(0)
    head = uploaded.read(HEAD_BYTES)
    header = PDF_HEADER.match(head)
    if not header or not PDF_FIRST_OBJECT.match(head, header.end()):
        raise _unreadable(uploaded)
    uploaded.seek(max(0, uploaded.size - PDF_TAIL_BYTES))
    tail = uploaded.read()
    uploaded.seek(0)
    if b"%%EOF" not in tail:
        raise _unreadable(uploaded)
    if any(mark in chunk for chunk in _chunks(uploaded) for mark in EXECUTABLE_MARKS):
        raise ValidationError(
            _("“%(name)s”中含有可执行程序，不能作为附件上传。") % {"name": uploaded.name}
        )


def check_zip(uploaded) -> None:
    """Member count and inflated size, declared and real (a member that inflates past what it
    declares is cut off by zipfile and fails its CRC check)."""
    too_big = ValidationError(
        _("“%(name)s”解压后超过 %(limit)s 或包含的部件过多，不能作为附件上传。")
        % {"name": uploaded.name, "limit": filesizeformat(MAX_INFLATED_BYTES)}
    )
    uploaded.seek(0)
    try:
        with zipfile.ZipFile(uploaded) as archive:
            members = archive.infolist()
            if len(members) > MAX_ZIP_MEMBERS:
                raise too_big
            if sum(m.file_size for m in members) > MAX_INFLATED_BYTES:
                raise too_big
            if "[Content_Types].xml" not in {m.filename for m in members}:
                raise _unreadable(uploaded)
            inflated = 0
            for member in members:
                with archive.open(member) as stream:
                    while chunk := stream.read(CHUNK):
                        inflated += len(chunk)
                        if inflated > MAX_INFLATED_BYTES:
                            raise too_big
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError):
        raise _unreadable(uploaded) from None
    except (RuntimeError, NotImplementedError):  # encrypted, or an unknown compression
        raise _unreadable(uploaded) from None
    finally:
        uploaded.seek(0)


STRUCTURE_CHECKS = {"pdf": check_pdf, "docx": check_zip}


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
        raise _unreadable(uploaded)
    if extension in STRUCTURE_CHECKS:
        STRUCTURE_CHECKS[extension](uploaded)
    return extension


def content_type_of(extension: str) -> str:
    return ALLOWED[extension]


def download_name(original: str, content_type: str) -> str:
    """The name a download is offered under: the uploader's, with the extension of the type
    the content was found to be (``报告.html`` holding a PDF downloads as ``报告.pdf``)."""
    extension = stored_extension(content_type)
    path = PurePath(original or "附件")
    if path.suffix.lower().lstrip(".") in ALIASES.get(extension, {extension}):
        return path.name
    return f"{path.stem or '附件'}.{extension}"


def full_message():
    return _("每个案例最多上传 %(max)s 个附件。") % {"max": MAX_PER_CASE}


def store(*, case, uploaded, user):
    """Check ``uploaded`` and keep it as an attachment of ``case``; ValidationError if it is
    refused or the case already holds ``MAX_PER_CASE`` attachments."""
    from cases.models import Attachment, Case

    extension = validate_upload(uploaded)
    attachment = Attachment(
        case=case,
        original_name=uploaded.name[:200],
        content_type=content_type_of(extension),
        size=uploaded.size,
        uploaded_by=user,
    )
    attachment.file.save(uploaded.name, uploaded, save=False)  # named by attachment_path
    try:
        with transaction.atomic():
            # Without the lock, fifteen uploads at once each count nine and all are stored.
            # PostgreSQL: the case row is locked until commit. SQLite ignores FOR UPDATE, but
            # its IMMEDIATE transactions take the write lock at BEGIN, which serialises the
            # count and the insert all the same.
            list(Case.objects.select_for_update().filter(pk=case.pk).values_list("pk"))
            if Attachment.objects.filter(case=case).count() >= MAX_PER_CASE:
                raise ValidationError(full_message())
            attachment.save()
    except BaseException:
        attachment.file.delete(save=False)
        raise
    return attachment


def download_response(attachment):
    """The attachment as a download (the one way an attachment leaves the site, for the
    district, staff and the case's experts alike): always a download with ``nosniff`` and a
    sandboxing policy, never a page of this site, even if a browser were to render it."""
    content_type = attachment.content_type
    if content_type not in EXTENSION_OF:
        content_type = "application/octet-stream"
    response = protected_file_response(
        attachment.file,
        filename=download_name(attachment.original_name, content_type),
        content_type=content_type,
    )
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
