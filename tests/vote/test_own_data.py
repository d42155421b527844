"""Notice, consent and a voter's own data (PIPL arts. 13–17, 44–47; issue #30)."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Round
from publishing.publication import start_publicity
from reviews.factories import CAPTCHA_PASSED, CaseFactory, RoundFactory
from reviews.models import Ballot, PhoneCode, Vote, VoteCountSnapshot, Voter
from reviews.vote import identity, monitor
from tests.factories import approved_round

PHONE = "13812340001"


def _verified_client(phone, sms, ip="203.0.113.9"):
    client = Client(REMOTE_ADDR=ip)
    client.post(reverse("vote:phone"), {"phone": phone, **CAPTCHA_PASSED})
    client.post(reverse("vote:verify"), {"code": sms.last_code(phone)})
    return client


def _vote(client, case):
    return client.post(reverse("vote:cast", args=[case.round_id, case.pk]))


@pytest.fixture
def voting(db):
    round_ = RoundFactory()
    return round_, [CaseFactory(round=round_) for _ in range(3)]


def test_the_notice_names_the_handler_the_processor_items_periods_and_rights(client, settings, db):
    settings.PRIVACY_HANDLER_NAME = "上海市发展和改革委员会"
    settings.PRIVACY_HANDLER_CONTACT = "021-23112311"
    settings.SMS_PROVIDER_NAME = "某短信服务商"
    settings.PERSONAL_DATA_RETENTION_DAYS = 45
    page = client.get(reverse("privacy")).content.decode()
    for words in (
        "上海市发展和改革委员会",
        "021-23112311",
        "某短信服务商受我们委托发送",
        "投票人的手机号",
        "网络地址",
        "异议人的姓名或单位、联系方式",
        "区级经办人、评审专家的姓名、手机号、工作单位",
        "后 45 天删除号码",
        "180 天",
        "撤回同意",
        reverse("vote:own_data"),
    ):
        assert words in page, words


def test_every_page_links_the_notice_from_its_footer(client, db):
    for url in (reverse("home"), reverse("vote:phone"), reverse("cases:archive")):
        assert f'href="{reverse("privacy")}"' in client.get(url).content.decode()


def test_the_phone_form_asks_consent_never_ticked_beside_the_notice(client, voting):
    page = client.get(reverse("vote:phone")).content.decode()
    box = re.search(r"<input[^>]*name=\"consent\"[^>]*>", page).group()
    assert 'type="checkbox"' in box and "checked" not in box
    assert "《个人信息处理告知》" in page and f'href="{reverse("privacy")}"' in page


def test_without_consent_no_code_no_sms_nothing_stored_and_the_page_says_why(client, sms, db):
    data = {k: v for k, v in CAPTCHA_PASSED.items() if k != "consent"}
    response = client.post(reverse("vote:phone"), {"phone": PHONE, **data})
    assert response.status_code == 200
    assert "未勾选同意《个人信息处理告知》" in response.content.decode()
    assert "不会发送验证码" in response.content.decode()
    assert sms.outbox == [] and not PhoneCode.objects.exists() and not Voter.objects.exists()
    assert PHONE not in str(dict(client.session))


def test_the_objection_form_says_consent_in_one_line(client, db):
    round_ = approved_round()
    start_publicity(round=round_)
    page = client.get(reverse("publishing:object", args=[round_.pk])).content.decode()
    assert "提交即表示您同意为核实和答复异议处理您填写的姓名和联系方式" in page
    assert f'href="{reverse("privacy")}"' in page


def test_a_cases_contact_fields_link_the_notice(client, officer_a):
    now = timezone.now()
    round_ = RoundFactory(
        year=2027,
        status=Round.Status.SUBMISSION,
        submission_opens=now - timedelta(days=1),
        submission_closes=now + timedelta(days=10),
    )
    client.force_login(officer_a)
    page = client.get(reverse("cases:submission_create", args=[round_.pk])).content.decode()
    line = re.search(r'data-testid="contact-privacy">(.*?)</p>', page).group(1)
    assert "不公开" in line and f'href="{reverse("privacy")}"' in line


def test_a_voter_sees_a_masked_phone_the_time_their_votes_and_the_minimisation(voting, sms):
    round_, cases = voting
    client = _verified_client(PHONE, sms)
    _vote(client, cases[0])
    page = client.get(reverse("vote:own_data")).content.decode()
    assert "138****0001" in page and PHONE not in page
    assert cases[0].title in page and "有效" in page
    assert "您参与的评选公示结束（或公布）后按规定期限删除" in page  # the round is open
    assert "已按时公布的每日票数是评选的公开记录" in page


def test_deleting_takes_the_votes_out_of_every_count_exactly(voting, sms, staff):
    round_, cases = voting
    client = _verified_client(PHONE, sms)
    other = _verified_client("13812340002", sms, ip="198.51.100.3")
    for case in cases:
        _vote(client, case)
    _vote(other, cases[0])
    mine = Voter.objects.get(phone=PHONE)
    monitor.void_votes(
        round=round_,
        vote_ids=[Vote.objects.get(voter=mine, case=cases[2]).pk],
        user=staff,
        reason="核查",
    )
    response = client.post(reverse("vote:delete_own_data"), {"confirmed": "yes"}, follow=True)
    assert "3 张选票已从计票中撤出" in response.content.decode()
    assert monitor.valid_counts(round_) == {cases[0].pk: 1}
    assert monitor.voided_counts(round_) == {}
    counters = dict(Case.objects.filter(round=round_).values_list("pk", "vote_count"))
    assert counters == {cases[0].pk: 1, cases[1].pk: 0, cases[2].pk: 0}
    assert not Voter.objects.filter(phone=PHONE).exists()
    assert not Ballot.objects.filter(voter_id=mine.pk).exists()
    assert not Vote.history.filter(voter_id=mine.pk).exists()
    assert not PhoneCode.objects.filter(phone=PHONE).exists()
    # The cookie is gone, and a copy of it votes nothing.
    assert _vote(client, cases[1]).url.startswith(reverse("vote:phone"))


def test_after_deleting_the_phone_may_verify_and_vote_again_as_a_new_consent(voting, sms):
    round_, cases = voting
    client = _verified_client(PHONE, sms)
    _vote(client, cases[0])
    client.post(reverse("vote:delete_own_data"), {"confirmed": "yes"})
    PhoneCode.objects.all().delete()  # no resend wait left from the first code
    again = _verified_client(PHONE, sms)
    _vote(again, cases[0])
    assert Case.objects.get(pk=cases[0].pk).vote_count == 1
    assert Vote.objects.filter(voter__phone=PHONE).count() == 1


def test_snapshots_taken_keep_their_figures_after_a_deletion(voting, sms):
    round_, cases = voting
    Round.objects.filter(pk=round_.pk).update(
        vote_count_mode=Round.VoteCounts.DAILY, vote_count_time="20:00"
    )
    client = _verified_client(PHONE, sms)
    _vote(client, cases[0])
    snapshot = VoteCountSnapshot.objects.create(
        round=round_, due_at=timezone.now(), counts=snapshots_counts(round_)
    )
    client.post(reverse("vote:delete_own_data"), {"confirmed": "yes"})
    snapshot.refresh_from_db()
    assert snapshot.counts == {str(cases[0].pk): 1}
    assert Case.objects.get(pk=cases[0].pk).vote_count == 0


def snapshots_counts(round_):
    return {str(pk): n for pk, n in monitor.valid_counts(round_).items()}


def test_deleting_needs_the_confirmation_box(voting, sms):
    round_, cases = voting
    client = _verified_client(PHONE, sms)
    _vote(client, cases[0])
    response = client.post(reverse("vote:delete_own_data"), follow=True)
    assert "请勾选“确认删除”后再提交" in response.content.decode()
    assert Case.objects.get(pk=cases[0].pk).vote_count == 1


def test_no_deletion_here_once_no_vote_is_open(voting, sms):
    round_, cases = voting
    client = _verified_client(PHONE, sms)
    _vote(client, cases[0])
    Round.objects.filter(pk=round_.pk).update(status=Round.Status.REVIEW)
    page = client.get(reverse("vote:own_data")).content.decode()
    assert "目前没有进行中的投票" in page and 'name="confirmed"' not in page
    client.post(reverse("vote:delete_own_data"), {"confirmed": "yes"})
    assert Vote.objects.count() == 1


def test_the_phone_of_a_voter_of_a_closed_round_waits_for_its_minimisation(voting, sms):
    round_, cases = voting
    client = _verified_client(PHONE, sms)
    _vote(client, cases[0])
    Round.objects.filter(pk=round_.pk).update(status=Round.Status.REVIEW)
    current = RoundFactory(year=2027)
    now_case = CaseFactory(round=current)
    _vote(client, now_case)
    response = client.post(reverse("vote:delete_own_data"), {"confirmed": "yes"}, follow=True)
    assert "手机号将在该轮个人信息最小化时删除" in response.content.decode()
    assert Vote.objects.filter(voter__phone=PHONE).count() == 1  # the closed round's vote
    assert Case.objects.get(pk=now_case.pk).vote_count == 0


def test_officers_and_experts_read_their_own_account_data(client, officer_a, expert):
    officer_a.phone, officer_a.organisation = "13900001111", "嘉定区发改委"
    officer_a.save()
    client.force_login(officer_a)
    page = client.get(reverse("accounts:own_data")).content.decode()
    assert "13900001111" in page and "嘉定区发改委" in page and "嘉定区" in page
    assert f'href="{reverse("privacy")}"' in page
    client.force_login(expert)
    page = client.get(reverse("accounts:own_data")).content.decode()
    assert expert.username in page and "13900001111" not in page


def test_identity_finds_a_bulk_loaded_voter_by_its_number(db, sms):
    Voter.objects.bulk_create([Voter(phone=PHONE, verified_at=timezone.now())])
    identity.request_code(phone=PHONE)
    voter = identity.verify_code(phone=PHONE, code=sms.last_code(PHONE))
    assert Voter.objects.count() == 1
    assert voter.phone_hash == identity.identifiers.phone_digest(PHONE)
