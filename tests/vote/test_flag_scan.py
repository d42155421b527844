"""Issue #28: the monitor reads flags from the last scan and says when it ran; staff may ask
for a scan at most once a minute, hear of each new flag by one mail, export the flags to
Excel, and are warned before the SMS budget runs out."""

import io
from datetime import timedelta

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import User
from reviews.factories import CAPTCHA_PASSED, CaseFactory, RoundFactory, VoterFactory
from reviews.models import Vote, VoteLedger, Voter
from reviews.vote import monitor, scan
from reviews.vote.casting import cast_vote

START = timezone.now() - timedelta(hours=6)


@pytest.fixture
def round_(db):
    return RoundFactory(votes_per_voter=3)


def old_voter():
    """A phone far from the others, verified long ago: only the address block can flag it."""
    n = Voter.objects.count()
    voter = VoterFactory(phone=f"13{(n * 7919 + 1000) % 10**9:09d}")
    Voter.objects.filter(pk=voter.pk).update(created_at=START - timedelta(days=30))
    return voter


def burst(round_, case, block="198.51.100", at=START):
    for i in range(monitor.BURST_THRESHOLD):
        cast_vote(
            round=round_,
            case=case,
            voter=old_voter(),
            ip=f"{block}.{i + 1}",
            now=at + timedelta(seconds=10 * i),
        )


def age_scan(round_, minutes):
    VoteLedger.objects.filter(round=round_).update(
        flags_at=F("flags_at") - timedelta(minutes=minutes)
    )


def test_the_monitor_shows_the_last_scan_with_its_time_and_scans_again_when_old(
    client, staff, round_
):
    case = CaseFactory(round=round_, title="被集中投票的案例")
    burst(round_, case)
    client.force_login(staff)
    url = reverse("reviews:votes", args=[round_.pk])
    page = client.get(url).content.decode()
    scanned = VoteLedger.objects.get(round=round_).flags_at
    assert f"异常检测更新于 {timezone.localtime(scanned):%H:%M}" in page
    assert "198.51.100.0/24" in page
    # A second burst within five minutes of the scan waits for the next one.
    burst(round_, case, block="203.0.113")
    assert "203.0.113.0/24" not in client.get(url).content.decode()
    assert VoteLedger.objects.get(round=round_).flags_at == scanned
    age_scan(round_, 6)
    assert "203.0.113.0/24" in client.get(url).content.decode()


def test_staff_may_ask_for_a_scan_now_at_most_once_a_minute(client, staff, round_):
    case = CaseFactory(round=round_)
    client.force_login(staff)
    url = reverse("reviews:refresh_flags", args=[round_.pk])
    client.get(reverse("reviews:votes", args=[round_.pk]))  # scanned: nothing yet
    burst(round_, case)
    page = client.post(url, follow=True).content.decode()
    assert "一分钟内只能更新一次" in page and "198.51.100.0/24" not in page
    age_scan(round_, 2)
    page = client.post(url, follow=True).content.decode()
    assert "已开始重新检测" in page and "198.51.100.0/24" in page


def test_each_new_flag_is_mailed_to_staff_once(round_, staff, mailoutbox):
    User.objects.filter(pk=staff.pk).update(email="staff@example.cn")
    case = CaseFactory(round=round_)
    burst(round_, case)
    scan.scan(round_)
    scan.scan(round_)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["staff@example.cn"]
    assert "198.51.100.0/24" in mailoutbox[0].body and "同一地址段" in mailoutbox[0].subject
    burst(round_, case, block="203.0.113")
    scan.scan(round_)
    assert len(mailoutbox) == 2 and "203.0.113.0/24" in mailoutbox[1].body


def test_the_flags_export_to_excel_with_inert_cells(client, staff, round_):
    case = CaseFactory(round=round_, title='=HYPERLINK("http://evil","点我")')
    burst(round_, case)
    scan.scan(round_)
    client.force_login(staff)
    response = client.get(reverse("reviews:export_flags", args=[round_.pk]))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    flags_sheet, votes_sheet = workbook.worksheets
    assert flags_sheet.cell(3, 3).value == "198.51.100.0/24"
    assert flags_sheet.cell(3, 7).value == monitor.BURST_THRESHOLD
    rows = list(votes_sheet.iter_rows(min_row=2, values_only=False))
    assert len(rows) == monitor.BURST_THRESHOLD
    title = rows[0][3]
    assert title.value.startswith("=HYPERLINK") and title.data_type == "s"
    assert set(Vote.objects.filter(case=case).values_list("pk", flat=True)) == {
        row[1].value for row in rows
    }


def test_staff_are_warned_before_the_sms_budget_runs_out(client, staff, settings, sms):
    settings.SMS_DAILY_LIMIT = 5
    round_ = RoundFactory()
    client.force_login(staff)
    url = reverse("reviews:votes", args=[round_.pk])
    assert "即将达到上限" not in client.get(url).content.decode()
    for i in range(4):  # 80 % of the day's cap
        client.post(
            reverse("vote:phone"),
            {"phone": f"1390000000{i}", **CAPTCHA_PASSED},
            REMOTE_ADDR=f"10.0.{i}.1",
        )
    page = client.get(url).content.decode()
    assert "今日已发送 4 / 5 条" in page and "即将达到上限" in page


def test_the_monitor_shows_the_newest_flags_and_says_the_export_has_them_all(
    client, staff, round_, monkeypatch
):
    from reviews.views import staff as staff_views

    monkeypatch.setattr(staff_views, "MONITOR_FLAGS", 1)
    case = CaseFactory(round=round_)
    burst(round_, case)
    burst(round_, case, block="203.0.113", at=START + timedelta(hours=1))
    client.force_login(staff)
    page = client.get(reverse("reviews:votes", args=[round_.pk])).content.decode()
    assert "共发现 2 处异常，此处显示最近的 1 处" in page
    assert "203.0.113.0/24" in page and "198.51.100.0/24" not in page


def test_each_card_links_to_its_case_page_and_vote(client, round_):
    cases = [CaseFactory(round=round_) for _ in range(3)]
    page = client.get(reverse("vote:round", args=[round_.pk])).content.decode()
    for case in cases:
        assert f'href="{reverse("vote:case", args=[round_.pk, case.pk])}"' in page
        assert f'action="{reverse("vote:cast", args=[round_.pk, case.pk])}"' in page
    page = client.get(reverse("vote:case", args=[round_.pk, cases[0].pk])).content.decode()
    assert f'action="{reverse("vote:cast", args=[round_.pk, cases[0].pk])}"' in page
