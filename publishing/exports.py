"""What keeps the public exports from holding a worker: the whole archive from its prepared
file, and a rate limit per client on every export.

- ``/export/cases.<fmt>`` without filters is the whole archive (20,000 rows took 16.5 s to
  write per request). It is sent from the file cases.archive.prepared keeps, rebuilt in the
  background when the archive changes. A small archive (up to ``INLINE_UP_TO`` cases, about a
  second of writing) is brought up to date in the request instead; a large one is sent as it
  was last built (the task queued by the change, or the recovery sweep, brings it up to date;
  checking its freshness here would read every case's row), and a request before any build
  answers 503 with Retry-After and queues one.
- Every export counts against one limit per client address (``EXPORT_RATELIMIT``, default
  ``EXPORT_RATE``), with django-ratelimit on the shared cache as the other public forms.
"""

from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_ratelimit.decorators import ratelimit

from cases import tasks
from cases.archive import export as archive_export
from cases.archive import prepared
from cases.models import Case
from core.downloads import protected_file_response
from core.outbox import enqueue

EXPORT_RATE = "30/h"
INLINE_UP_TO = 1000
RETRY_AFTER = 60
QUEUED_KEY = "publishing:exports:rebuild-queued"


def _rate(group, request) -> str:
    return getattr(settings, "EXPORT_RATELIMIT", EXPORT_RATE)


def export_ratelimit(view):
    """429 with Retry-After past the per-client limit, shared by every export view."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        if getattr(request, "limited", False):
            response = HttpResponse(
                _("导出过于频繁，请稍后再试。"),
                status=429,
                content_type="text/plain; charset=utf-8",
            )
            response["Retry-After"] = str(RETRY_AFTER)
            return response
        return view(request, *args, **kwargs)

    return ratelimit(group="publishing.exports", key="ip", rate=_rate, block=False)(checked)


def _queue_rebuild() -> None:
    # Once per RETRY_AFTER for all clients, not once per request.
    if cache.add(QUEUED_KEY, True, RETRY_AFTER):
        enqueue(tasks.rebuild_archive_exports)


def whole_archive(fmt: str, name: str):
    """The response for the whole archive in ``fmt``."""
    if Case.objects.published().count() <= INLINE_UP_TO:
        if prepared.stale(fmt):
            prepared.rebuild(fmt)
    elif prepared.stored_file(fmt) is None:
        _queue_rebuild()
    stored = prepared.stored_file(fmt)
    if stored is None:
        response = HttpResponse(
            _("全部案例的导出文件正在生成，请稍后再试。"),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = str(RETRY_AFTER)
        return response
    stamp = timezone.localdate().strftime("%Y%m%d")
    # Sent by nginx (X-Accel-Redirect) where the deployment has it, else by Django.
    return protected_file_response(
        stored, filename=f"{name}-{stamp}.{fmt}", content_type=archive_export.CONTENT_TYPES[fmt]
    )
