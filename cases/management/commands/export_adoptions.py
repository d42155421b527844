import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cases.adoption import export


class Command(BaseCommand):
    help = "导出已确认的借鉴记录（互学互鉴，JSON、CSV 或 Excel）；--year 为被借鉴案例的年度。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="被借鉴案例的年度，缺省为全部年度")
        parser.add_argument("--format", choices=export.FORMATS, required=True)
        parser.add_argument("--output", help="输出文件，缺省输出到标准输出（xlsx 必须指定）")

    def handle(self, *args, year=None, format, output=None, **options):
        if format == "xlsx" and not output:
            raise CommandError("xlsx 格式须用 --output 指定文件", returncode=2)
        rows = [export.adoption_row(a) for a in export.confirmed(year)]
        data = export.render(rows, format)
        if output:
            try:
                Path(output).write_bytes(data)
            except OSError as exc:
                raise CommandError(
                    f"无法写入 {output}: {exc.strerror or exc}", returncode=2
                ) from None
            self.stderr.write(f"已导出 {len(rows)} 条借鉴记录到 {output}")
        else:
            sys.stdout.flush()
            self.stdout.write(data.decode("utf-8"), ending="\n")
