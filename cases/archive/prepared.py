"""The whole archive as prepared files, one per format, rebuilt in the background.

``/export/cases.<fmt>`` without filters is every published case: 20,000 rows took 16.5 s to
write per request, holding a worker. The files are written here instead, by the task queued
when the archive changes (cases.archive.signals) and by the recovery sweep, and the view only
sends the file. Each file has a sidecar ``.json`` with the archive's ``stamp`` it was built
from; ``stale`` compares it with the archive now.

The files live under ``MEDIA_ROOT/exports/``, which nothing serves directly (bizenv/urls.py):
they go out through the export view, which rate-limits them.
"""

import json
import os
import tempfile
import threading
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Count, Max, Sum
from django.utils import timezone

from cases.archive import export
from cases.archive.query import ArchiveFilters, archive_cases
from cases.models import Case, District, Round, Topic

DIRECTORY = "exports"


def name(fmt: str) -> str:
    """The file's name in the default storage (under MEDIA_ROOT)."""
    return f"{DIRECTORY}/cases.{fmt}"


def path(fmt: str) -> Path:
    return Path(settings.MEDIA_ROOT) / name(fmt)


class StoredFile:
    """A prepared file as core.downloads sends it: its name in the storage, and open()."""

    def __init__(self, fmt: str):
        self.name = name(fmt)

    def open(self, mode="rb"):
        return default_storage.open(self.name, mode)


def stored_file(fmt: str) -> StoredFile | None:
    return StoredFile(fmt) if path(fmt).exists() else None


def _sidecar(fmt: str) -> Path:
    return path(fmt).with_suffix(f".{fmt}.json")


def stamp() -> str:
    """What the export's content depends on, in one string: which cases are published and
    when they last changed, the published rounds, and the names of districts and topics."""
    cases = Case.objects.published().aggregate(n=Count("id"), ids=Sum("id"), at=Max("updated_at"))
    rounds = Round.objects.filter(status=Round.Status.PUBLISHED).aggregate(
        n=Count("id"), ids=Sum("id"), at=Max("updated_at")
    )
    names = [
        list(District.objects.order_by("pk").values_list("pk", "name")),
        list(Topic.objects.order_by("pk").values_list("pk", "name")),
    ]
    return json.dumps([cases, rounds, names], default=str, ensure_ascii=False)


def built(fmt: str) -> dict | None:
    """The sidecar of the prepared file (``stamp``, ``rows``, ``built_at``), or None."""
    try:
        return json.loads(_sidecar(fmt).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def stale(fmt: str, current: str | None = None) -> bool:
    info = built(fmt)
    if info is None or not path(fmt).exists():
        return True
    return info.get("stamp") != (current if current is not None else stamp())


def rebuild(fmt: str) -> int:
    """Write the whole archive in ``fmt`` (to a temporary file, then renamed into place, so
    a download never sees half a file); the number of rows."""
    current = stamp()  # before reading: a change made meanwhile leaves the file stale
    target = path(fmt)
    target.parent.mkdir(parents=True, exist_ok=True)
    cases = archive_cases(ArchiveFilters())  # the same rows and order as a filtered export
    handle = tempfile.NamedTemporaryFile(dir=target.parent, suffix=".part", delete=False)
    try:
        with handle:
            rows = export.write(export.iter_rows(cases), fmt, handle)
        # As the storage makes uploaded files (a temporary file is 0600): nginx, another
        # user, sends it through X-Accel-Redirect.
        os.chmod(handle.name, settings.FILE_UPLOAD_PERMISSIONS or 0o644)
        os.replace(handle.name, target)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    info = {"stamp": current, "rows": rows, "built_at": timezone.now().isoformat()}
    sidecar = _sidecar(fmt)
    part = sidecar.with_name(f"{sidecar.name}.{os.getpid()}.{threading.get_ident()}.part")
    part.write_text(json.dumps(info), encoding="utf-8")
    os.replace(part, sidecar)
    return rows


def rebuild_stale(now=None) -> int:
    """Rebuild each format whose file is missing or older than the archive; how many."""
    current = stamp()
    done = 0
    for fmt in export.FORMATS:
        if stale(fmt, current):
            rebuild(fmt)
            done += 1
    return done
