import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.backup import write_backup


class Command(BaseCommand):
    help = "备份整个数据库和上传的文件到一个 .tar.gz 文件。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", help="备份文件；缺省为 BACKUP_DIR（var/backups）下的 bizenv-时间.tar.gz"
        )

    def handle(self, *args, output=None, **options):
        target = (
            Path(output)
            if output
            else Path(settings.BACKUP_DIR) / f"bizenv-{time.strftime('%Y%m%d-%H%M%S')}.tar.gz"
        )
        try:
            manifest = write_backup(target)
        except OSError as exc:
            raise CommandError(
                f"无法写入备份 {target}: {exc.strerror or exc}", returncode=2
            ) from None
        self.stdout.write(
            f"已备份 {manifest['objects']} 条记录和 {manifest['media_files']} 个文件到 {target}"
        )
