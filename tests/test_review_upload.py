"""Paper score sheets uploaded as CSV: a preview shows every error; nothing is saved until
the file is clean and staff confirm."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reviews import review
from reviews.factories import review_round
from reviews.models import Assignment, ScoreSheet
from reviews.score_upload import apply_upload, parse_upload


@pytest.fixture
def setup(db, expert, expert_b):
    round_, cases = review_round()  # huangpu, pudong, jiading; expert_b is from pudong
    review.assign_default(round=round_)
    return round_, cases


def csv(*lines):
    return ("\n".join(["case,expert,criterion,score", *lines]) + "\n").encode()


def good_rows(case, username="expert", values=("30", "20", "25.5")):
    keys = ("leading", "felt", "replicable")
    return [f"{case.pk},{username},{k},{v}" for k, v in zip(keys, values, strict=True)]


def test_a_clean_file_previews_and_then_submits_the_sheets(setup, staff):
    round_, (huangpu, _p, jiading) = setup
    data = csv(*good_rows(huangpu), *good_rows(jiading, "expert_b"))
    preview = parse_upload(round=round_, data=data)
    assert preview.ok and len(preview.sheets) == 2
    assert not ScoreSheet.objects.exists()  # a preview saves nothing
    assert apply_upload(round=round_, data=data, user=staff) == 2
    sheet = Assignment.objects.get(case=huangpu, expert__username="expert").sheet
    assert sheet.status == "submitted"
    assert review.sheet_values(sheet)["replicable"] == Decimal("25.50")


def test_every_error_is_reported_with_its_line(setup):
    round_, (huangpu, pudong, jiading) = setup
    data = csv(
        f"{huangpu.pk},expert,leading,30",  # 2 ok
        f"{huangpu.pk},expert,felt,31",  # 3 over the maximum
        f"{huangpu.pk},expert,leading,20",  # 4 duplicate of line 2
        f"{huangpu.pk},nobody,leading,20",  # 5 unknown expert
        "9999,expert,leading,20",  # 6 not a shortlisted case
        f"{jiading.pk},expert,speed,10",  # 7 unknown criterion
        f"{pudong.pk},expert_b,leading,10",  # 8 expert_b must recuse (own district)
        f"{jiading.pk},expert,leading,1.234",  # 9 three decimals
        f"{jiading.pk},expert,felt",  # 10 three columns
    )
    preview = parse_upload(round=round_, data=data)
    messages = [str(e) for e in preview.errors]
    lines = [e.line for e in preview.errors]
    assert not preview.ok
    expected = {
        3: "0 到 30",
        4: "与第 2 行重复",
        5: "nobody",
        6: "9999",
        7: "speed",
        8: "回避",
        9: "2 位小数",
        10: "4 列",
    }
    for line, text in expected.items():
        assert any(m.startswith(f"第 {line} 行") and text in m for m in messages), (line, messages)
    # Incomplete sheets are reported at the line where they start.
    assert any(m.startswith("第 2 行") and "缺少评分项" in m for m in messages)
    assert lines == sorted(lines)
    assert not ScoreSheet.objects.exists()


def test_a_bad_header_or_an_empty_file_is_refused(setup):
    round_, _cases = setup
    assert "表头" in str(
        parse_upload(round=round_, data=b"case;expert;criterion;score\n").errors[0]
    )
    assert "没有评分数据" in str(parse_upload(round=round_, data=csv()).errors[0])


def test_gbk_files_from_excel_are_read(setup):
    round_, (huangpu, *_rest) = setup
    data = (
        csv(*good_rows(huangpu))
        .decode()
        .replace("expert,leading", "expert,leading")
        .encode("gb18030")
    )
    assert parse_upload(round=round_, data=data).ok


def test_a_sheet_submitted_online_is_not_overwritten(setup):
    round_, (huangpu, *_rest) = setup
    assignment = Assignment.objects.get(case=huangpu, expert__username="expert")
    review.save_sheet(
        assignment=assignment,
        user=assignment.expert,
        submit=True,
        values={"leading": "1", "felt": "1", "replicable": "1"},
    )
    preview = parse_upload(round=round_, data=csv(*good_rows(huangpu)))
    assert any("已在线提交" in str(e) for e in preview.errors)


def test_the_upload_page_previews_then_confirms(setup, client, staff):
    round_, (huangpu, *_rest) = setup
    client.force_login(staff)
    url = reverse("reviews:upload", args=[round_.pk])
    bad = SimpleUploadedFile("s.csv", csv(f"{huangpu.pk},expert,leading,99"), "text/csv")
    page = client.post(url, {"file": bad}).content.decode()
    assert "未保存任何数据" in page and "第 2 行" in page and 'name="confirm"' not in page
    good = SimpleUploadedFile("s.csv", csv(*good_rows(huangpu)), "text/csv")
    page = client.post(url, {"file": good}).content.decode()
    assert 'name="confirm"' in page and not ScoreSheet.objects.exists()
    digest = page.split('name="confirm" value="')[1].split('"')[0]
    response = client.post(url, {"confirm": digest})
    assert response.status_code == 302
    assert ScoreSheet.objects.get().status == "submitted"


def _online_draft(case, username="expert"):
    assignment = Assignment.objects.get(case=case, expert__username=username)
    review.save_sheet(assignment=assignment, user=assignment.expert, values={"leading": "11.25"})
    return assignment


def test_an_online_draft_is_listed_and_replaced_only_once_confirmed(setup, staff):
    round_, (huangpu, _p, jiading) = setup
    draft = _online_draft(huangpu)
    data = csv(*good_rows(huangpu), *good_rows(jiading, "expert_b"))
    preview = parse_upload(round=round_, data=data)
    assert preview.ok
    assert [g.assignment for g in preview.drafts] == [draft]
    # Not confirmed: refused whole, the draft untouched and the other sheet not saved either.
    with pytest.raises(ValidationError, match="已有在线评分草稿"):
        apply_upload(round=round_, data=data, user=staff)
    with pytest.raises(ValidationError, match="已有在线评分草稿"):
        apply_upload(round=round_, data=data, user=staff, replace_drafts=[draft.pk + 1000])
    draft.sheet.refresh_from_db()
    assert draft.sheet.status == "draft"
    assert review.sheet_values(draft.sheet) == {"leading": Decimal("11.25")}
    assert ScoreSheet.objects.count() == 1
    # Confirmed: replaced and submitted.
    assert apply_upload(round=round_, data=data, user=staff, replace_drafts=[draft.pk]) == 2
    draft.sheet.refresh_from_db()
    assert draft.sheet.status == "submitted"
    assert review.sheet_values(draft.sheet)["leading"] == Decimal("30.00")


def test_a_draft_saved_after_the_preview_is_not_replaced_unconfirmed(setup, staff):
    round_, (huangpu, *_rest) = setup
    data = csv(*good_rows(huangpu))
    assert parse_upload(round=round_, data=data).drafts == []
    _online_draft(huangpu)  # the expert saves a draft while staff look at the preview
    with pytest.raises(ValidationError, match="已有在线评分草稿"):
        apply_upload(round=round_, data=data, user=staff)


def test_the_upload_page_asks_to_confirm_each_draft_it_replaces(setup, client, staff):
    round_, (huangpu, *_rest) = setup
    draft = _online_draft(huangpu)
    client.force_login(staff)
    url = reverse("reviews:upload", args=[round_.pk])
    good = SimpleUploadedFile("s.csv", csv(*good_rows(huangpu)), "text/csv")
    page = client.post(url, {"file": good}).content.decode()
    assert 'id="upload-drafts"' in page and f'name="replace" value="{draft.pk}"' in page
    assert "11.25" not in page  # the draft itself stays sealed
    digest = page.split('name="confirm" value="')[1].split('"')[0]
    response = client.post(url, {"confirm": digest}, follow=True)
    assert "已有在线评分草稿" in response.content.decode()
    assert ScoreSheet.objects.get(assignment=draft).status == "draft"
    client.post(url, {"confirm": digest, "replace": [str(draft.pk)]})
    assert ScoreSheet.objects.get(assignment=draft).status == "submitted"


def test_an_optional_column_carries_the_comment_for_the_district(setup, staff):
    round_, (huangpu, _p, jiading) = setup
    rows = good_rows(huangpu)
    data = (
        "case,expert,criterion,score,district_comment\n"
        + "\n".join(
            [
                rows[0] + ",建议补充企业获得感数据",
                rows[1] + ",",
                rows[2] + ",建议补充企业获得感数据",  # the same text again: one comment
                *(row + "," for row in good_rows(jiading, "expert_b")),
            ]
        )
        + "\n"
    ).encode()
    assert apply_upload(round=round_, data=data, user=staff) == 2
    sheets = {s.assignment.case: s for s in ScoreSheet.objects.select_related("assignment__case")}
    assert sheets[huangpu].district_comment == "建议补充企业获得感数据"
    assert sheets[jiading].district_comment == ""
    # Two different comments for one sheet: an error on its line, nothing saved.
    clash = (
        "case,expert,criterion,score,district_comment\n"
        f"{jiading.pk},expert,leading,30,甲\n{jiading.pk},expert,felt,20,乙\n"
    ).encode()
    errors = [str(e) for e in parse_upload(round=round_, data=clash).errors]
    assert "第 3 行：同一评分表的给申报区意见前后不一致。" in errors
    # A row short of the header's five columns says how many it needs.
    short = f"case,expert,criterion,score,district_comment\n{jiading.pk},expert,leading,30\n"
    errors = [str(e) for e in parse_upload(round=round_, data=short.encode()).errors]
    assert "第 2 行：应有 5 列，实际为 4 列。" in errors
