from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from cases.models import Round
from publishing import certificates


class Command(BaseCommand):
    help = (
        "导出某年度评选的荣誉证书（PDF，A4 横向，每个获奖案例一页），仅限结果已审定或已公布的评选。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--output", required=True, help="输出的 PDF 文件")
        parser.add_argument("--round", type=int, help="同一年度有多个评选时指定其编号")

    def handle(self, *args, year, output, round=None, **options):
        rounds = Round.objects.filter(year=year)
        if round is not None:
            rounds = rounds.filter(pk=round)
        found = list(rounds.order_by("id")[:2])
        if not found:
            raise CommandError(f"{year} 年度没有评选", returncode=2)
        issuable = [r for r in found if r.status in certificates.ISSUABLE]
        if len(found) > 1 and len(issuable) != 1:
            raise CommandError(f"{year} 年度有多个评选，请用 --round 指定", returncode=2)
        round_ = issuable[0] if issuable else found[0]
        try:
            data = certificates.certificate_pdf(round_)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages), returncode=2) from None
        try:
            Path(output).write_bytes(data)
        except OSError as exc:
            raise CommandError(f"无法写入 {output}: {exc.strerror or exc}", returncode=2) from None
        count = len(certificates.certificates_for(round_))
        self.stderr.write(f"已导出 {year} 年度荣誉证书 {count} 页到 {output}")
