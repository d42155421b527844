import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cases.archive import export as archive_export
from cases.models import Case, Round


class Command(BaseCommand):
    help = "按排名顺序导出某年度已公布的案例名单（JSON、CSV 或 Excel）。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--format", choices=archive_export.FORMATS, default="json")
        parser.add_argument("--output", help="输出文件，缺省输出到标准输出（xlsx 必须指定）")

    def handle(self, *args, year, format, output=None, **options):
        rounds = Round.objects.filter(year=year, status=Round.Status.PUBLISHED)
        if not rounds.exists():
            raise CommandError(f"{year} 年度没有已公布的评选", returncode=2)
        cases = Case.objects.published().filter(round__in=rounds).in_notice_order()
        data = archive_export.render(archive_export.rows_for(cases), format)
        if output:
            try:
                Path(output).write_bytes(data)
            except OSError as exc:
                raise CommandError(
                    f"无法写入 {output}: {exc.strerror or exc}", returncode=2
                ) from None
            self.stderr.write(f"已导出 {cases.count()} 个案例到 {output}")
        elif format == "xlsx":
            raise CommandError("xlsx 格式须用 --output 指定文件", returncode=2)
        else:
            sys.stdout.flush()
            self.stdout.write(data.decode("utf-8"), ending="\n")
