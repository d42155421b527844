from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cases.notices.importer import import_notice
from cases.notices.parsed import IncompleteNotice, NoticeError
from cases.notices.parser import parse_notice


class Command(BaseCommand):
    help = (
        "导入已印发的评选通知或案例汇编（2021 年汇编、2022 年分档次排名、2023 年单档次排名），"
        "生成已公布的年度评选。"
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="通知文本文件（UTF-8 或 GB18030，简体或繁体）")
        parser.add_argument("--year", type=int, help="年度，缺省时从通知中读取")
        parser.add_argument(
            "--dry-run", action="store_true", help="只显示将导入的内容，不写入数据库"
        )
        parser.add_argument(
            "--allow-partial",
            action="store_true",
            help="通知内容与其写明的案例数、档次或目录不符时，仍导入已读到的案例，并在年度评选上记录缺漏",
        )

    def handle(self, *args, path, year=None, dry_run=False, allow_partial=False, **options):
        source = Path(path)
        try:
            data = source.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取 {path}: {exc.strerror or exc}", returncode=2) from None
        try:
            parsed = parse_notice(data, allow_partial=allow_partial)
        except IncompleteNotice as exc:
            raise CommandError(
                f"{path}: {exc}（未导入；确认只导入已读到的部分请加 --allow-partial）",
                returncode=2,
            ) from None
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
        if report.converted_from_traditional:
            out("  原文为繁体字，已转为简体（OpenCC t2s）后导入")
        if report.compilation:
            count = len(report.created) + len(report.updated) + len(report.unchanged)
            out(f"  案例汇编（不分档次、不排名）：{count} 个入选案例")
        for name, count in report.tiers:
            out(f"  {name}：{count} 个案例")
        out(
            f"  新增 {len(report.created)}，更新 {len(report.updated)}，"
            f"未变 {len(report.unchanged)}"
        )
        if report.no_signature:
            out("  通知未写落款，年度评选的落款留空")
        if report.no_date:
            out("  通知未写印发日期，年度评选的印发日期留空")
        out(f"  重复案例已跳过：{len(report.duplicates)}")
        for skipped, kept in report.duplicates:
            place = f" {_label(skipped)}" if _label(skipped) else ""
            out(f"    第 {skipped.line} 行{place}「{skipped.title}」与第 {kept.line} 行重复")
        out(f"  待人工指定区的案例：{len(report.needing_district)}")
        for case in report.needing_district:
            note = f"（{case.district_note}）" if case.district_note else ""
            out(f"    {_label(case)}「{case.title}」{note}")
        if report.title or report.document_number:
            parts = [p for p in (report.title, report.document_number) if p]
            out(f"  通知标题与文号（未计入正文）：{' '.join(parts)}")
        if report.page_chrome:
            out(f"  已去掉网页的导航、工具栏和页脚 {len(report.page_chrome)} 行：")
            for line in report.page_chrome:
                out(f"    {line}")
        if report.dropped_lines:
            out(f"  已忽略的行：{'、'.join(report.dropped_lines)}")
        if report.count_unchecked:
            out("  通知未写明案例数，无法核对是否完整（如末尾案例缺失不会被发现），请对照原文核对")
        if report.shortfall:
            out(f"  部分导入，缺漏已记录在年度评选上：{'；'.join(report.shortfall)}")


def _label(case) -> str:
    """How the summary names a case's place in the list: "良好实践 排名3", or nothing."""
    return f"{case.tier} 排名{case.rank}" if case.tier and case.rank else ""
