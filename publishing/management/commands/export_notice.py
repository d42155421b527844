from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cases.models import Round
from publishing import notice_documents


class Command(BaseCommand):
    help = "按通知原有的形式导出某年度已公布的通知（Word、PDF 或文本）：分档次排名或案例汇编。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--format", choices=notice_documents.FORMATS, default="docx")
        parser.add_argument("--output", required=True, help="输出文件")
        parser.add_argument("--round", type=int, help="同一年度有多个已公布评选时指定其编号")

    def handle(self, *args, year, format, output, round=None, **options):
        rounds = Round.objects.filter(year=year, status=Round.Status.PUBLISHED)
        if round is not None:
            rounds = rounds.filter(pk=round)
        found = list(rounds[:2])
        if not found:
            raise CommandError(f"{year} 年度没有已公布的评选", returncode=2)
        if len(found) > 1:
            raise CommandError(f"{year} 年度有多个已公布的评选，请用 --round 指定", returncode=2)
        try:
            data = notice_documents.render(found[0], format)
        except ValueError as exc:  # the writer names what the list lacks (a title, a district)
            raise CommandError(f"无法导出 {year} 年度通知：{exc}", returncode=2) from None
        try:
            Path(output).write_bytes(data)
        except OSError as exc:
            raise CommandError(f"无法写入 {output}: {exc.strerror or exc}", returncode=2) from None
        self.stderr.write(f"已导出 {year} 年度通知（{format}）到 {output}")
