from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cases.notice_import import import_notice
from cases.notice_parser import NoticeError, parse_notice


class Command(BaseCommand):
    help = "导入已印发的评选通知（如 2022 年通知的文本），生成已公布的年度评选。"

    def add_arguments(self, parser):
        parser.add_argument("path", help="通知文本文件（UTF-8 或 GB18030）")
        parser.add_argument("--year", type=int, help="年度，缺省时从通知中读取")
        parser.add_argument(
            "--dry-run", action="store_true", help="只显示将导入的内容，不写入数据库"
        )

    def handle(self, *args, path, year=None, dry_run=False, **options):
        source = Path(path)
        try:
            data = source.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取 {path}: {exc.strerror or exc}", returncode=2) from None
        try:
            parsed = parse_notice(data)
        except NoticeError as exc:
            raise CommandError(f"{path}: {exc}", returncode=2) from None
        year = year or parsed.year
        if not year:
            raise CommandError(f"{path}: 通知中未找到年度，请用 --year 指定", returncode=2)
        if parsed.year and parsed.year != year:
            raise CommandError(
                f"{path}: 通知为 {parsed.year} 年度，与 --year {year} 不符", returncode=2
            )

        report = import_notice(parsed=parsed, year=year, dry_run=dry_run)
        self.print_report(report)

    def print_report(self, report):
        out = self.stdout.write
        head = "【试运行，未写入数据库】" if report.dry_run else ""
        out(f"{head}{report.round.year} 年度：{report.round.notice_title}")
        for name, count in report.tiers:
            out(f"  {name}：{count} 个案例")
        out(
            f"  新增 {len(report.created)}，更新 {len(report.updated)}，"
            f"未变 {len(report.unchanged)}"
        )
        out(f"  重复案例已跳过：{len(report.duplicates)}")
        for skipped, kept in report.duplicates:
            out(
                f"    第 {skipped.line} 行 {skipped.tier} 排名{skipped.rank}「{skipped.title}」"
                f"与第 {kept.line} 行重复"
            )
        out(f"  待人工指定区的案例：{len(report.needing_district)}")
        for case in report.needing_district:
            note = f"（{case.district_note}）" if case.district_note else ""
            out(f"    {case.tier} 排名{case.rank}「{case.title}」{note}")
        if report.dropped_lines:
            out(f"  已忽略的行：{'、'.join(report.dropped_lines)}")
