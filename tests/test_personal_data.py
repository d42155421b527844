"""Personal data kept no longer than needed (PIPL art. 19): the recovery sweep's minimisation
(publishing.retention) leaves none of a finished round's phones, full client addresses or
objectors' contacts anywhere, and changes no published figure, flag or result (issue #30)."""

import os
import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.db import OperationalError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.archive import export, prepared
from cases.models import Case, Round
from core.backup import write_backup
from core.recovery import recover_pending_work
from publishing.models import Objection
from publishing.retention import minimise_personal_data
from reviews.factories import (
    CAPTCHA_PASSED,
    CaseFactory,
    RoundFactory,
    clear_rate_limits,
    use_memory_sms,
)
from reviews.models import RoundSelection, Vote, Voter
from reviews.vote import casting, identity, monitor, retention

# Five near-consecutive numbers voting alike: a "phones" flag, computed from the numbers.
PHONES = [f"1380000000{i}" for i in range(1, 6)]
ADDRESS = "203.0.113.57"
OBJECTOR = {"name": "王小明", "contact": "wangxm@example.com"}
OBJECTOR_ADDRESS = "198.51.100.23"
LOGIN_ADDRESS = "192.0.2.77"
PENDING_PHONE = "13912345678"
CASE_CONTACT = {
    "contact_name": "李经办",
    "contact_phone": "13700001111",
}  # typed on the phone page, never verified: only in a session


@pytest.fixture
def sms(settings):
    clear_rate_limits()
    yield use_memory_sms(settings)
    clear_rate_limits()


def _verified(phone, sms, *, ip=ADDRESS):
    identity.request_code(phone=phone, ip=ip)
    return identity.verify_code(phone=phone, code=sms.last_code(phone))


def _vote(voter, case, ip=ADDRESS):
    return casting.record_vote(
        round_pk=case.round_id,
        case_pk=case.pk,
        voter_id=voter.pk,
        token_version=Voter.objects.get(pk=voter.pk).token_version,
        ip=ip,
    )


@pytest.fixture
def finished_round(db, sms, settings, tmp_path, staff):
    """A round voted on (with a flag, a voided vote, a revoked voter), 公示 with an answered
    objection, published; a failed login, an abandoned phone page, a backup on disk."""
    settings.VOTE_PHONE_RUN_LENGTH = 5
    settings.BACKUP_DIR = tmp_path / "backups"
    round_ = RoundFactory(year=2025)
    liked, other = CaseFactory(round=round_), CaseFactory(round=round_)
    voters = [_verified(phone, sms) for phone in PHONES]
    for voter in voters:
        _vote(voter, liked)
    _vote(voters[0], other)
    monitor.void_votes(
        round=round_,
        vote_ids=[Vote.objects.get(voter=voters[0], case=other).pk],
        user=staff,
        reason="核查后作废",
    )
    identity.revoke_voters(voter_ids=[voters[1].pk], user=staff, reason="异常")
    objection = Objection.objects.create(
        round=round_, case=liked, grounds="材料不实", ip=OBJECTOR_ADDRESS, **OBJECTOR
    )
    objection.status, objection.answer = Objection.Status.DISMISSED, "经核实不予采纳"
    objection.answered_at = timezone.now()
    objection.save()
    AccessAttempt.objects.create(
        username="staff", ip_address=LOGIN_ADDRESS, user_agent="x", failures_since_start=1
    )
    Client().post(reverse("vote:phone"), {"phone": PENDING_PHONE, **CAPTCHA_PASSED})
    Session.objects.update(expire_date=timezone.now() - timedelta(hours=1))
    now = timezone.now()
    Round.objects.filter(pk=round_.pk).update(
        status=Round.Status.PUBLISHED,
        publicity_ends=now + timedelta(days=1),
        published_at=now + timedelta(days=2),
    )
    # Published with a contact on the case file: the prepared exports on disk carry none.
    Case.objects.filter(round=round_).update(
        status=Case.Status.PUBLISHED, tier="优秀案例", rank=1, **CASE_CONTACT
    )
    for fmt in export.FORMATS:
        prepared.rebuild(fmt)
    backup = settings.BACKUP_DIR / "bizenv-old.tar.gz"
    write_backup(backup)
    os.utime(backup, (time.time() - 40 * 86400,) * 2)
    round_.refresh_from_db()
    return round_


def figures(round_):
    return {
        "counters": dict(Case.objects.filter(round=round_).values_list("pk", "vote_count")),
        "valid": monitor.valid_counts(round_),
        "voided": monitor.voided_counts(round_),
        "flags": [retention._burst_to_json(b) for b in retention.flags_for(round_)],
    }


def whole_database() -> str:
    """Every row of every table, as text. SQLite's full-text vocabulary tables of the case
    search cannot be scanned (they hold published case texts, read through their base)."""
    parts, unreadable = [], []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            try:
                with transaction.atomic():
                    cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
                    parts.extend(repr(row) for row in cursor.fetchall())
            except OperationalError:
                unreadable.append(table)
    assert all(table.startswith("cases_case_") for table in unreadable), unreadable
    return "\n".join(parts)


def files_under(folder) -> bytes:
    return b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())


def after_the_period(round_):
    return round_.published_at + timedelta(days=30, minutes=1)


def test_the_sweep_leaves_none_of_a_finished_rounds_personal_data(finished_round, settings):
    before = figures(finished_round)
    assert any(flag["kind"] == "phones" for flag in before["flags"])
    dump = whole_database()
    for secret in (
        *PHONES,
        PENDING_PHONE,
        ADDRESS,
        OBJECTOR_ADDRESS,
        LOGIN_ADDRESS,
        *OBJECTOR.values(),
    ):
        assert secret in dump  # the test would prove nothing otherwise

    assert minimise_personal_data(now=after_the_period(finished_round)) > 0

    dump = whole_database()
    for secret in (
        *PHONES,
        PENDING_PHONE,
        ADDRESS,
        OBJECTOR_ADDRESS,
        LOGIN_ADDRESS,
        *OBJECTOR.values(),
    ):
        assert secret not in dump
    assert "203.0.113.0" in dump  # the address block stays, for the frozen bursts
    assert not list(settings.BACKUP_DIR.glob("*.tar.gz"))
    exports = files_under(settings.MEDIA_ROOT)
    assert exports  # the prepared exports were written
    for secret in (*PHONES, ADDRESS, *OBJECTOR.values(), *CASE_CONTACT.values()):
        assert secret.encode() not in exports
    # Every published figure and flag as before; the flags are frozen, not recomputed (the
    # numbers they came from are gone).
    assert figures(finished_round) == before
    assert retention.current_flags(finished_round) != retention.flags_for(finished_round)
    selection = RoundSelection.objects.get(round=finished_round)
    line = selection.history.first().history_change_reason
    assert line.startswith("个人信息最小化：1 轮评选") and "删除手机号 5 个" in line


def test_a_returning_voter_is_found_by_the_hash_of_the_number_they_type(finished_round, sms):
    minimise_personal_data(now=after_the_period(finished_round))
    old = Voter.objects.get(phone_hash=identity.identifiers.phone_digest(PHONES[0]))
    assert old.phone is None and old.minimised_at is not None
    again = _verified(PHONES[0], sms)
    assert again.pk == old.pk and Voter.objects.get(pk=old.pk).phone == PHONES[0]
    assert Voter.objects.count() == len(PHONES)


def test_a_phone_stays_while_another_round_of_its_voter_is_within_its_period(finished_round, sms):
    current = RoundFactory(year=2026)
    _vote(Voter.objects.get(phone=PHONES[2]), CaseFactory(round=current))
    minimise_personal_data(now=after_the_period(finished_round))
    assert Voter.objects.filter(phone=PHONES[2]).exists()
    assert Voter.objects.filter(phone__in=PHONES).count() == 1


def test_nothing_is_minimised_before_the_period_ends(finished_round):
    before = whole_database()
    answered = Objection.objects.get().answered_at  # before the publication
    minimise_personal_data(now=answered + timedelta(days=29))
    assert Voter.objects.filter(phone__in=PHONES).count() == len(PHONES)
    assert Vote.objects.filter(ip=ADDRESS).exists()
    assert Objection.objects.get().contact == OBJECTOR["contact"]
    assert PHONES[0] in before


def test_the_recovery_sweep_runs_the_minimisation(finished_round):
    done = recover_pending_work(now=after_the_period(finished_round))
    assert done["personal_data"] > 0
    assert not Voter.objects.filter(phone__in=PHONES).exists()


def test_staff_still_see_the_frozen_flags_with_numbers_masked(finished_round, client, staff):
    minimise_personal_data(now=after_the_period(finished_round))
    client.force_login(staff)
    page = client.get(reverse("reviews:votes", args=[finished_round.pk])).content.decode()
    assert "5 个相近号码（138****0001 起）投给同一案例" in page
    assert not any(phone in page for phone in PHONES)
