"""Backup and restore of the whole database and the uploaded files, as one .tar.gz.

The database goes in as Django's JSON serialisation (natural keys), so a backup taken on
SQLite restores onto PostgreSQL and back. Content types and permissions are not dumped:
migrations create them, and natural keys point at them by name.

Other apps hear of both through signals (core comes before them): ``backup_written`` after a
backup, ``restore_starting`` before the database is replaced (a handler keeps in ``keep``
what must survive, the security audit of what came after the backup) and
``restore_finished`` inside the same transaction once the backup is loaded.
"""

import io
import json
import tarfile
import time
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.dispatch import Signal

EXCLUDED = ["contenttypes", "auth.permission", "sessions", "admin.logentry"]
MANIFEST = "manifest.json"
DATA = "data.json"
MEDIA_PREFIX = "media/"
FORMAT_VERSION = 1


backup_written = Signal()  # target, manifest
restore_starting = Signal()  # source, manifest, keep (a dict handlers fill)
restore_finished = Signal()  # source, manifest, keep


class BackupError(Exception):
    """A backup that cannot be restored; str() is one line in Chinese."""


def write_backup(target: Path) -> dict:
    data = io.StringIO()
    call_command(
        "dumpdata",
        "--natural-foreign",
        "--natural-primary",
        *[f"--exclude={e}" for e in EXCLUDED],
        stdout=data,
    )
    payload = data.getvalue().encode("utf-8")
    media_root = Path(settings.MEDIA_ROOT)
    media_files = [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []
    manifest = {
        "format": FORMAT_VERSION,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "objects": len(json.loads(payload)),
        "media_files": len(media_files),
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(target, "w:gz") as tar:
        _add_bytes(tar, MANIFEST, json.dumps(manifest, ensure_ascii=False).encode("utf-8"))
        _add_bytes(tar, DATA, payload)
        for path in media_files:
            tar.add(path, arcname=MEDIA_PREFIX + path.relative_to(media_root).as_posix())
    backup_written.send(sender=write_backup, target=target, manifest=manifest)
    return manifest


def _add_bytes(tar, name, content: bytes):
    info = tarfile.TarInfo(name)
    info.size = len(content)
    info.mtime = int(time.time())
    tar.addfile(info, io.BytesIO(content))


def read_backup(source: Path):
    try:
        tar = tarfile.open(source, "r:gz")
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"{source} 不是有效的备份文件：{exc}") from None
    with tar:
        names = tar.getnames()
        if MANIFEST not in names or DATA not in names:
            raise BackupError(f"{source} 不是本系统的备份文件（缺少 {MANIFEST} 或 {DATA}）")
        manifest = json.loads(tar.extractfile(MANIFEST).read())
        if manifest.get("format") != FORMAT_VERSION:
            raise BackupError(f"{source} 的备份格式版本 {manifest.get('format')} 不受支持")
        data = tar.extractfile(DATA).read().decode("utf-8")
        media = {}
        for member in tar.getmembers():
            if member.isfile() and member.name.startswith(MEDIA_PREFIX):
                relative = Path(member.name[len(MEDIA_PREFIX) :])
                # Never write outside MEDIA_ROOT, whatever the archive says.
                if relative.is_absolute() or ".." in relative.parts:
                    raise BackupError(f"{source} 含有不安全的文件路径：{member.name}")
                media[relative] = tar.extractfile(member).read()
    return manifest, data, media


def restore_backup(source: Path) -> dict:
    """Replace the database and the uploaded files with the backup's, all or nothing."""
    manifest, data, media = read_backup(source)
    keep = {}
    try:
        with transaction.atomic():
            restore_starting.send(
                sender=restore_backup, source=source, manifest=manifest, keep=keep
            )
            call_command("flush", interactive=False, verbosity=0, inhibit_post_migrate=True)
            # Deserialised one by one after the flush, as loaddata does: a natural key (a
            # user's name) must resolve to the restored row, not to a row the flush removed
            # (resolved beforehand, restoring into an emptied database failed on the first
            # expert's assignment).
            deferred = []
            for obj in serializers.deserialize("json", data, handle_forward_references=True):
                obj.save()
                if obj.deferred_fields:
                    deferred.append(obj)
            for obj in deferred:
                obj.save_deferred_fields()
            _reset_sequences()
            restore_finished.send(
                sender=restore_backup, source=source, manifest=manifest, keep=keep
            )
    except serializers.base.DeserializationError as exc:
        raise BackupError(f"{source} 的数据无法读取：{str(exc).splitlines()[0]}") from None
    media_root = Path(settings.MEDIA_ROOT)
    for relative, content in media.items():
        path = media_root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return manifest


def _reset_sequences():
    # Rows came in with their ids; PostgreSQL's sequences must move past them.
    statements = connection.ops.sequence_reset_sql(no_style(), list(apps.get_models()))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
