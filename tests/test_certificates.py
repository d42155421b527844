"""荣誉证书: one A4 landscape page per awarded case, read back with poppler; only for approved
and published rounds; the command, the round's download and the case's."""

import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from cases.models import Case, Round
from cases.notices.importer import import_notice
from cases.notices.parser import parse_notice
from publishing import certificates
from tests.factories import approved_round, published_case, published_round

pytestmark = pytest.mark.django_db
NOTICE_2022 = Path(__file__).resolve().parent.parent / "cases" / "data" / "notices" / "2022.txt"


@pytest.fixture
def round_2022():
    return import_notice(parsed=parse_notice(NOTICE_2022.read_bytes()), year=2022).round


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def poppler(tool, path, *args):
    return subprocess.run([tool, *args, str(path)], capture_output=True, text=True, check=True)


def pages(path):
    info = poppler("pdfinfo", path).stdout
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    return int(fields["Pages"]), fields["Page size"].strip()


def page_text(path, page):
    command = ["pdftotext", "-f", str(page), "-l", str(page), "-layout", str(path), "-"]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def squeezed(text):
    """pdftotext's text without the spaces and line ends its layout puts between glyphs."""
    return "".join(text.split())


def write(tmp_path, data, name="c.pdf"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_the_command_prints_one_landscape_a4_page_per_awarded_case(round_2022, tmp_path):
    output = tmp_path / "2022.pdf"
    call_command("export_certificates", year=2022, output=str(output))
    count, size = pages(output)
    assert count == 21 == certificates.listed_cases(round_2022).count()
    assert size == "841.89 x 595.276 pts (A4)"  # landscape: wider than high


def test_each_page_reads_district_title_tier_rank_authority_and_date(round_2022, tmp_path):
    path = write(tmp_path, certificates.certificate_pdf(round_2022))
    first = squeezed(page_text(path, 1))
    title, subtitle = "“快闪办”“自助办”“视讯办”“陪同办”", "——打造“小嘉帮办”服务品牌"
    for text in ("荣誉证书", "嘉定区：", f"《{title}》", subtitle):
        assert text in first
    assert "优秀案例第一名" in first
    assert "上海市发展和改革委员会" in first and "2022年11月8日" in first
    # A tie keeps its rank (奉贤区 shares 6th place), and the second tier counts afresh.
    assert "奉贤区：" in squeezed(page_text(path, 7)) and "第六名" in squeezed(page_text(path, 7))
    twelfth = squeezed(page_text(path, 12))
    assert "浦东新区：" in twelfth and "良好实践第一名" in twelfth


def test_fonts_are_embedded_as_subsets(round_2022, tmp_path):
    path = write(tmp_path, certificates.certificate_pdf(round_2022))
    rows = poppler("pdffonts", path).stdout.splitlines()[2:]
    assert rows
    faces = set()
    for row in rows:
        name, emb_sub = row.split()[0], row.split()[-5:-3]
        assert emb_sub == ["yes", "yes"], row
        assert "+" in name, row  # ABCDEF+Name: a subset
        faces.add(name.split("+")[1])
    # The notice's families only: 小标宋 (the heaviest free serif), 楷体 and 仿宋.
    assert faces == {"FandolSong-Bold", "FandolKai-Regular", "FandolFang-Regular"}
    assert path.stat().st_size < 1_000_000


def test_a_long_title_wraps_on_its_own_page(tmp_path):
    round_ = published_round(2023)
    title = "以“高效办成一件事”为牵引全面深化政务服务模式创新推动企业群众办事从“能办”向“好办”" * 2
    published_case(round_, tier="优秀案例", rank=1, title=title[:120], district="嘉定区")
    path = write(tmp_path, certificates.certificate_pdf(round_))
    assert pages(path)[0] == 1
    text = squeezed(page_text(path, 1))
    assert title[:120] in text and "2023年11月8日" in text


def test_a_compilation_prints_selected_instead_of_a_rank(tmp_path):
    round_ = published_round(2021, kind=Round.Kind.COMPILATION, tiers=())
    published_case(round_, tier="", rank=None, title="“一网通办”改革", district="黄浦区")
    path = write(tmp_path, certificates.certificate_pdf(round_))
    text = squeezed(page_text(path, 1))
    assert "黄浦区：" in text and "入选" in text and "第" not in text.split("入选")[-1]


def test_an_approved_round_has_certificates_dated_today_until_the_notice_is_dated(tmp_path):
    round_ = approved_round(2024)
    path = write(tmp_path, certificates.certificate_pdf(round_))
    assert pages(path)[0] == 4


@pytest.mark.parametrize(
    "status", [Round.Status.SUBMISSION, Round.Status.REVIEW, Round.Status.PUBLICITY]
)
def test_rounds_not_approved_or_published_are_refused(status, tmp_path):
    round_ = approved_round(2024)
    Round.objects.filter(pk=round_.pk).update(status=status)
    round_.refresh_from_db()
    assert certificates.issue_blockers(round_)
    with pytest.raises(CommandError) as refused:
        call_command("export_certificates", year=2024, output=str(tmp_path / "x.pdf"))
    assert refused.value.returncode == 2
    assert "荣誉证书" in str(refused.value) and "\n" not in str(refused.value)
    assert not (tmp_path / "x.pdf").exists()


def test_the_command_refuses_an_unknown_year(tmp_path):
    with pytest.raises(CommandError) as refused:
        call_command("export_certificates", year=1999, output=str(tmp_path / "x.pdf"))
    assert refused.value.returncode == 2 and "1999" in str(refused.value)


def test_staff_download_the_rounds_certificates(staff_client, round_2022):
    response = staff_client.get(reverse("publishing:certificates", args=[round_2022.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    page = staff_client.get(reverse("publishing:round", args=[round_2022.pk]))
    assert reverse("publishing:certificates", args=[round_2022.pk]) in page.content.decode()


def test_staff_download_one_cases_certificate_from_its_page(staff_client, round_2022, tmp_path):
    case = round_2022.cases.get(tier="良好实践", rank=9)
    page = staff_client.get(reverse("cases:staff_case", args=[case.pk]))
    url = reverse("publishing:case_certificate", args=[case.pk])
    assert url in page.content.decode()
    path = write(tmp_path, staff_client.get(url).content)
    text = squeezed(page_text(path, 1))
    assert pages(path)[0] == 1 and "崇明区：" in text and "良好实践第九名" in text


def test_a_case_without_an_award_has_no_certificate(staff_client, round_2022):
    case = Case.objects.create(round=round_2022, title="未获奖", status=Case.Status.ACCEPTED)
    response = staff_client.get(reverse("publishing:case_certificate", args=[case.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:staff_case", args=[case.pk])
    page = staff_client.get(response["Location"])
    assert "该案例不在获奖名单中" in page.content.decode()
    assert "case-certificate" not in page.content.decode()


def test_an_unpublished_round_answers_with_a_chinese_message(staff_client):
    round_ = approved_round(2024)
    Round.objects.filter(pk=round_.pk).update(status=Round.Status.PUBLICITY)
    response = staff_client.get(reverse("publishing:certificates", args=[round_.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("publishing:round", args=[round_.pk])
    assert "结果审定或公布后才能打印荣誉证书" in response.content.decode()
