from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "用备份文件替换整个数据库和上传的文件（先执行 migrate）。"

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--yes", action="store_true", help="不再确认，直接替换现有数据")

    def handle(self, *args, path, yes=False, **options):
        if not yes:
            raise CommandError("恢复将替换现有全部数据；确认请加 --yes", returncode=2)
        try:
            manifest = restore_backup(Path(path))
        except BackupError as exc:
            raise CommandError(str(exc), returncode=2) from None
        self.stdout.write(
            f"已恢复 {manifest['objects']} 条记录和 {manifest['media_files']} 个文件"
            f"（备份于 {manifest['created']}）"
        )
