"""Build the 2021 and 2023 test notices from the real 2022 texts, in the layouts the commission
published those years (issue #17). Run from the checkout to rewrite them:

    .venv/bin/python tests/data/build_notice_shapes.py

The layouts are written out here by hand, not by ``cases.notices.writer``, so that the tests read
inputs the writer did not make.

* notice_2021.txt, a compilation: cover letter, 附件 line, signature, date; the list's title,
  目  录 with district headings and 案例N lines numbered across the document; then the same
  again with each case's text. The 20 cases of 2022 that name their district, grouped under it.
  A case's subtitle is printed in turns: on its own "——" line; after a space on the 案例N line
  with the 目录 listing the main title alone (a certain split); after a space on the 案例N line
  with the 目录 listing the whole line (not certain: the whole line is the title).
* notice_2023.txt, one tier without heading: no addressee, the preamble with a running total
  and this year's count, 附件 line, a date and no signature; then 排名1 … 排名20, each a title
  line and a subtitle line without "——". 20 distinct cases, one of them printed twice.
* notice_2023_letter.txt, the real 2023 letter's shape (issue #33): no addressee, no 附件 line,
  no signature or date; the year only in "2023年，各区…" and "现印发公布2023年度各区优化营商环境
  优秀案例", the count in "选出…的20个优化营商环境优秀案例" beside the running total "三批共47个";
  then 排名1 … 排名20 as in notice_2023.txt, each case once.
* notice_2023_web.txt, the same letter copied from the portal's page: its navigation, the
  letter's title line and 文号, the page's date, font-size and share tools above; its print and
  close links, previous and next notices and the site's footer below.
"""

from pathlib import Path

DATA = Path(__file__).resolve().parent
INDENT = "  "
DISTRICT_ORDER = (
    "浦东新区 黄浦区 静安区 徐汇区 长宁区 普陀区 虹口区 杨浦区 "
    "闵行区 宝山区 嘉定区 金山区 松江区 青浦区 奉贤区 崇明区"
).split()
NUMERALS = "一二三四五六七八九十"


def numeral(n: int) -> str:
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else NUMERALS[tens - 1] + "十")
    return head + (NUMERALS[ones - 1] if ones else "")


def body_lines(case) -> list[str]:
    lines = []
    for section in case.sections:
        if section["heading"]:
            lines.append(section["heading"])
        lines += [p for p in section["body"].split("\n") if p]
    return lines


def write(name: str, blocks: list[str]) -> None:
    text = "\n\n".join(INDENT + block if block else "" for block in blocks) + "\n"
    (DATA / name).write_text(text, "utf-8")


def build_2021(cases) -> None:
    named = [c for c in cases if c.district]
    grouped = [(d, [c for c in named if c.district == d]) for d in DISTRICT_ORDER]
    grouped = [(d, group) for d, group in grouped if group]
    letter = [
        "各区人民政府、各相关单位：",
        "优化营商环境是增强上海城市核心竞争力的关键所在。2019年以来，我市已推出两批共27个"
        "区级优秀案例。今年，经各区推荐、网络投票初选和专家集中评审，遴选出具有首创性强、"
        "获得感高、可复制推广的20个优化营商环境优秀案例。",
        "现将2021年全市各区优化营商环境优秀案例印发给你们，请结合实际学习借鉴。",
        "附件：2021年全市各区优化营商环境优秀案例",
        "上海市发展和改革委员会",
        "2021年11月29日",
        "2021年全市各区优化营商环境优秀案例",
    ]
    toc, body = ["目  录"], []
    number, with_subtitle = 0, 0
    for index, (district, group) in enumerate(grouped, start=1):
        heading = f"{numeral(index)}、{district}"
        toc.append(heading)
        body.append(heading)
        for case in group:
            number += 1
            label = f"案例{numeral(number)}"
            if not case.subtitle:
                toc.append(f"{label} {case.title}")
                body += [f"{label} {case.title}", *body_lines(case)]
                continue
            mode = with_subtitle % 3
            with_subtitle += 1
            if mode == 0:  # the subtitle on its own line after a dash
                toc.append(f"{label} {case.title}")
                body += [f"{label} {case.title}", f"——{case.subtitle}"]
            elif mode == 1:  # after a space; the 目录 lists the main title: certain
                toc.append(f"{label} {case.title}")
                body.append(f"{label} {case.title} {case.subtitle}")
            else:  # after a space, the 目录 lists the same line: not certain
                toc.append(f"{label} {case.title} {case.subtitle}")
                body.append(f"{label} {case.title} {case.subtitle}")
            body += body_lines(case)
    write("notice_2021.txt", letter + toc + body)


def build_2023(cases) -> None:
    chosen = cases[:20]
    letter = [
        "优化营商环境是增强上海城市核心竞争力的关键所在。2019年以来，我市已推出三批共47个"
        "区级优秀案例，形成全市优化营商环境品牌。今年11月，经过网络投票初选和专家集中评审，"
        "选出各区创新性强、实效性高、可复制推广的20个优化营商环境优秀案例。",
        "营商环境没有最好，只有更好。现将2023年度各区优化营商环境优秀案例印发公布，"
        "各区要对标先进、互学互鉴，共同打造市场化、法治化、国际化的一流营商环境。",
        "附件：2023年度各区优化营商环境优秀案例",
        "2023年11月28日",
    ]
    body = []
    for rank, case in enumerate(chosen, start=1):
        printed = [f"排名{rank}", case.title, *([case.subtitle] if case.subtitle else [])]
        printed += body_lines(case)
        body += printed
        if case.title == "打造“法律服务产业集聚圈”":
            body += printed  # printed twice, word for word, as in 2022
    write("notice_2023.txt", letter + body)


LETTER_2023 = [
    "优化营商环境是增强上海城市核心竞争力的关键所在。2019年以来，我市已推出三批共47个区级优秀"
    "案例，形成全市优化营商环境品牌。2023年，各区按照全市优化营商环境工作要求，聚焦经营主体反映"
    "的突出问题，开拓创新、攻坚克难，经过网络投票初选和专家集中评审，选出各区创新性强、实效性高、"
    "可复制推广的20个优化营商环境优秀案例。",
    "营商环境没有最好，只有更好。为促进互学互鉴，现印发公布2023年度各区优化营商环境优秀案例，"
    "各区要对标先进、比学赶超，共同打造市场化、法治化、国际化的一流营商环境。",
]
PORTAL_TOP = [
    "首页 > 政务公开 > 通知公告",
    "关于印发2023年度各区优化营商环境优秀案例的通知",
    "沪发改营商〔2023〕15号",
    "发布日期：2023-12-05　　来源：市发展改革委　　字号：大 中 小",
    "分享到：",
]
PORTAL_BOTTOM = [
    "【打印本页】【关闭窗口】",
    "上一篇：关于开展2024年度优化营商环境案例申报工作的通知",
    "下一篇：关于公布2023年度重点项目清单的通知",
    "主办：上海市发展和改革委员会　版权所有",
    "沪ICP备12345678号-1　沪公网安备31010102000001号",
]


def build_2023_letter(cases) -> None:
    body = []
    for rank, case in enumerate(cases[:20], start=1):
        body += [f"排名{rank}", case.title, *([case.subtitle] if case.subtitle else [])]
        body += body_lines(case)
    write("notice_2023_letter.txt", LETTER_2023 + body)
    write("notice_2023_web.txt", PORTAL_TOP + LETTER_2023 + body + PORTAL_BOTTOM)


def main() -> None:
    import sys

    sys.path.insert(0, str(DATA.parents[1]))
    from cases.notices.parser import parse_notice

    cases = parse_notice((DATA / "notice_2022.txt").read_bytes()).cases()
    build_2021(cases)
    build_2023(cases)
    build_2023_letter(cases)


if __name__ == "__main__":
    main()
