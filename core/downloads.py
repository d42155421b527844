"""Protected downloads: the view decides who may read a file; the file itself is sent by
nginx when the deployment has it (``X-Accel-Redirect``), so a large download does not hold
an application worker, and by Django otherwise.

``PROTECTED_DOWNLOADS_PREFIX`` (settings; empty by default) is the internal nginx location
that maps onto ``MEDIA_ROOT`` (``/protected/`` in scripts/nginx/bizenv.conf.in). MEDIA_ROOT
itself is never served directly: every file goes out through a view and this function, as an
attachment with ``nosniff``.
"""

from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, HttpResponse


def protected_file_response(fieldfile, *, filename: str, content_type: str):
    """A response that sends ``fieldfile`` (a FileField's file in the default storage) as a
    download named ``filename``."""
    prefix = getattr(settings, "PROTECTED_DOWNLOADS_PREFIX", "")
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(fieldfile.name)
        response["Content-Disposition"] = _attachment_header(filename)
    else:
        response = FileResponse(
            fieldfile.open("rb"), as_attachment=True, filename=filename, content_type=content_type
        )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _attachment_header(filename: str) -> str:
    # RFC 6266 / 5987: an ASCII fallback and the UTF-8 name, as FileResponse writes it.
    try:
        filename.encode("ascii")
        return f'attachment; filename="{filename}"'
    except UnicodeEncodeError:
        return f"attachment; filename*=utf-8''{quote(filename)}"
