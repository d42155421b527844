"""import_notice on the real 2022 notice, its variants, re-imports and broken inputs."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cases.models import Case, District, Round

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
NOTICE = ROOT / "cases" / "data" / "notices" / "2022.txt"

EXCELLENT = [1, 2, 3, 4, 5, 6, 6, 8, 8, 10, 10]
GOOD = [1, 1, 3, 3, 5, 5, 7, 8, 9, 10]


def run_import(path, *args):
    out = io.StringIO()
    call_command("import_notice", str(path), *args, stdout=out)
    return out.getvalue()


def exported():
    out = io.StringIO()
    call_command("export_archive", year=2022, format="json", stdout=out)
    return json.loads(out.getvalue())


def test_the_real_notice_imports_as_the_published_2022_list():
    summary = run_import(NOTICE, "--year", "2022")
    round_ = Round.objects.get(year=2022)
    assert round_.status == Round.Status.PUBLISHED
    assert round_.tier_names == ["优秀案例", "良好实践"]
    assert round_.notice_date.isoformat() == "2022-11-08"
    assert round_.notice_signature == "上海市发展和改革委员会"
    assert [c["label"] for c in round_.criteria] == ["引领性强", "感受度高", "可复制推广"]

    rows = exported()
    assert len(rows) == 21
    assert [r["rank"] for r in rows if r["tier"] == "优秀案例"] == EXCELLENT
    assert [r["rank"] for r in rows if r["tier"] == "良好实践"] == GOOD
    first = rows[0]
    assert first["district"] == "嘉定区"
    assert first["title"] == "“快闪办”“自助办”“视讯办”“陪同办”"
    assert first["subtitle"] == "打造“小嘉帮办”服务品牌"
    assert [s["heading"] for s in first["sections"]] == [
        "一、基本情况",
        "二、主要做法",
        "三、取得成效",
    ]
    assert rows[1]["title"] == "推进商事登记确认制" and rows[1]["district"] == "浦东新区"

    # The duplicate is imported once, the case without a district is flagged, stray lines go.
    assert sum(r["title"] == "打造“法律服务产业集聚圈”" for r in rows) == 1
    orphan = Case.objects.get(round=round_, tier="良好实践", rank=8)
    assert orphan.district is None and orphan.district_needs_review
    assert not any("image.png" in s["body"] for r in rows for s in r["sections"])
    assert "优秀案例：11 个案例" in summary and "良好实践：10 个案例" in summary
    assert "重复案例已跳过：1" in summary
    assert "待人工指定区的案例：1" in summary and "法律服务团" in summary


def test_the_year_is_read_from_the_notice_when_not_given():
    run_import(NOTICE)
    assert Round.objects.get().year == 2022


def test_a_second_import_changes_nothing():
    run_import(NOTICE, "--year", "2022")
    before = exported()
    history = Case.history.count()
    summary = run_import(NOTICE, "--year", "2022")
    assert "新增 0，更新 0，未变 21" in summary
    assert exported() == before
    assert Case.objects.count() == 21 and Round.objects.count() == 1
    assert Case.history.count() == history  # not even a save


def test_a_district_assigned_by_hand_survives_a_reimport(client):
    run_import(NOTICE, "--year", "2022")
    orphan = Case.objects.get(tier="良好实践", rank=8)
    # A person assigns it in the admin, which marks the district as confirmed.
    from tests.conftest import make_user

    admin = make_user("admin", role="staff", is_staff=True, is_superuser=True)
    client.force_login(admin)
    fields = {
        "round": orphan.round_id,
        "district": District.objects.get(name="黄浦区").pk,
        "district_note": "",
        "title": orphan.title,
        "subtitle": orphan.subtitle,
        "summary": "",
        "sections": json.dumps(orphan.sections, ensure_ascii=False),
        "contact_name": "",
        "contact_phone": "",
        "status": orphan.status,
        "tier": orphan.tier,
        "rank": orphan.rank,
        "position": orphan.position,
        **{
            f"{p}-{k}": v
            for p in ("key_figures", "attachments", "transitions")
            for k, v in (("TOTAL_FORMS", 0), ("INITIAL_FORMS", 0))
        },
    }
    response = client.post(f"/admin/cases/case/{orphan.pk}/change/", fields)
    assert response.status_code == 302, response.content.decode()[:2000]
    orphan.refresh_from_db()
    assert orphan.district.name == "黄浦区" and orphan.district_confirmed
    assert not orphan.district_needs_review

    summary = run_import(NOTICE, "--year", "2022")
    orphan.refresh_from_db()
    assert orphan.district.name == "黄浦区"
    assert "待人工指定区的案例：0" in summary


def test_a_corrected_copy_of_the_notice_updates_the_text_but_keeps_a_confirmed_district(tmp_path):
    run_import(NOTICE, "--year", "2022")
    case = Case.objects.get(tier="优秀案例", rank=1)
    case.district = District.objects.get(name="宝山区")  # a person's (odd) correction
    case.district_confirmed = True
    case.save()
    corrected = NOTICE.read_text("utf-8").replace("年均办件量83.97万件", "年均办件量84万件")
    path = tmp_path / "corrected.txt"
    path.write_text(corrected, "utf-8")
    summary = run_import(path, "--year", "2022")
    assert "新增 0，更新 1，未变 20" in summary
    case.refresh_from_db()
    assert "年均办件量84万件" in case.search_text
    assert case.district.name == "宝山区"


def test_dry_run_shows_the_import_and_writes_nothing():
    summary = run_import(NOTICE, "--year", "2022", "--dry-run")
    assert "试运行" in summary and "新增 21" in summary
    assert not Round.objects.exists() and not Case.objects.exists()


def variants():
    text = NOTICE.read_text("utf-8")
    full_width = text.translate(str.maketrans({",": "，", ":": "：", "(": "（", ")": "）"}))
    return {
        "bom": b"\xef\xbb\xbf" + text.encode("utf-8"),
        "gb18030": text.encode("gb18030"),
        "crlf": text.replace("\n", "\r\n").encode("utf-8"),
        "full-width": full_width.encode("utf-8"),
        "no-blank-lines": "\n".join(line for line in text.split("\n") if line.strip()).encode(),
        "no-indent": "\n".join(line.strip() for line in text.split("\n")).encode("utf-8"),
        "ideographic-indent": "\n".join(
            "\u3000\u3000" + line.strip() if line.strip() else "" for line in text.split("\n")
        ).encode("utf-8"),
    }


@pytest.mark.parametrize("variant", list(variants()))
def test_every_copy_of_the_notice_imports_alike(variant, tmp_path):
    run_import(NOTICE, "--year", "2022")
    reference = exported()
    Case.objects.all().delete()
    Round.objects.all().delete()
    path = tmp_path / f"{variant}.txt"
    path.write_bytes(variants()[variant])
    run_import(path, "--year", "2022")
    again = exported()
    # The same list, case by case; only the database ids are new.
    assert again == [dict(r, id=new["id"]) for r, new in zip(reference, again, strict=True)]


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "空"),
        (b"   \n\n  ", "空"),
        (b"\x81\x20\xff\xfe\x00\xd8", "编码"),
        ("各区人民政府:\n这是一份普通的文件。\n".encode(), "排名"),
    ],
)
def test_input_that_is_not_a_notice_is_a_one_line_error_and_leaves_the_database(
    content, message, tmp_path
):
    run_import(NOTICE, "--year", "2022")
    before = exported()
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(CommandError) as excinfo:
        run_import(path, "--year", "2022")
    assert excinfo.value.returncode == 2
    assert "\n" not in str(excinfo.value) and message in str(excinfo.value)
    assert exported() == before


def test_a_missing_file_and_a_wrong_year_are_errors(tmp_path):
    with pytest.raises(CommandError, match="无法读取"):
        run_import(tmp_path / "nope.txt")
    with pytest.raises(CommandError, match="与 --year 2021 不符"):
        run_import(NOTICE, "--year", "2021")
    assert not Round.objects.exists()


def test_the_command_line_exits_non_zero_with_one_line_and_no_traceback(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    result = subprocess.run(
        [sys.executable, "manage.py", "import_notice", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"},
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
