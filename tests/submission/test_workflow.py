"""The case state machine: every pair of states, deadlines, quotas, notifications."""

import itertools
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from cases import notifications, workflow
from cases.models import Case, CaseTransition, Notification, Round
from cases.tasks import notify_case_transition, notify_round_published

S = Case.Status
ALL_PAIRS = [(a, b) for a, b in itertools.product(S.values, S.values) if a != b]

# Written out by hand (not read from cases.workflow) so that a change there must be deliberate.
OFFICER_MAY = {
    ("draft", "submitted"),
    ("returned", "submitted"),
    ("submitted", "withdrawn"),
    ("returned", "withdrawn"),
    ("accepted", "withdrawn"),
}
STAFF_MAY = {("submitted", "returned"), ("submitted", "accepted"), ("submitted", "rejected")}


@pytest.mark.parametrize("from_status,to_status", ALL_PAIRS)
@pytest.mark.parametrize("actor", ["officer_a", "officer_b", "expert", "staff"])
def test_transition_matrix(request, case_factory, from_status, to_status, actor):
    user = request.getfixturevalue(actor)
    case = case_factory(from_status)
    may = (actor == "officer_a" and (from_status, to_status) in OFFICER_MAY) or (
        actor == "staff" and (from_status, to_status) in STAFF_MAY
    )
    if may:
        transition = workflow.set_case_status(case=case, to=to_status, user=user, reason="说明")
        case.refresh_from_db()
        assert case.status == to_status
        assert (transition.from_status, transition.to_status, transition.by) == (
            from_status,
            to_status,
            user,
        )
        assert transition.reason == "说明"
    else:
        with pytest.raises(workflow.TransitionError):
            workflow.set_case_status(case=case, to=to_status, user=user, reason="说明")
        case.refresh_from_db()
        assert case.status == from_status
        assert not CaseTransition.objects.filter(case=case).exists()


def test_submit_sets_submitted_at_and_records_the_step(case_factory, officer_a):
    case = case_factory()
    assert case.submitted_at is None
    workflow.submit(case=case, user=officer_a)
    case.refresh_from_db()
    assert case.status == S.SUBMITTED
    assert abs(case.submitted_at - timezone.now()) < timedelta(seconds=5)
    assert list(case.transitions.values_list("from_status", "to_status")) == [
        ("draft", "submitted")
    ]


def test_model_helpers_go_through_the_door(case_factory, officer_a, staff):
    case = case_factory()
    workflow.submit(case=case, user=officer_a)
    workflow.return_for_revision(case=case, user=staff, reason="请补充数据口径")
    workflow.submit(case=case, user=officer_a)
    workflow.accept(case=case, user=staff)
    workflow.withdraw(case=case, user=officer_a, reason="改报其他案例")
    steps = list(case.transitions.values_list("to_status", flat=True))
    assert steps == ["submitted", "returned", "submitted", "accepted", "withdrawn"]


@pytest.mark.parametrize("to", [S.RETURNED, S.REJECTED])
def test_return_and_reject_need_a_reason(case_factory, staff, to):
    case = case_factory(S.SUBMITTED)
    with pytest.raises(workflow.TransitionError, match="理由"):
        workflow.set_case_status(case=case, to=to, user=staff, reason="  ")
    case.refresh_from_db()
    assert case.status == S.SUBMITTED


def test_it_refuses_a_draft_after_the_deadline(case_factory, officer_a, open_round):
    open_round.submission_closes = timezone.now() - timedelta(minutes=1)
    open_round.save()
    case = case_factory()
    with pytest.raises(workflow.TransitionError, match="申报已于 .* 截止"):
        workflow.submit(case=case, user=officer_a)
    case.refresh_from_db()
    assert case.status == S.DRAFT


def test_it_refuses_a_draft_before_the_window_opens(case_factory, officer_a, open_round):
    open_round.submission_opens = timezone.now() + timedelta(days=1)
    open_round.save()
    with pytest.raises(workflow.TransitionError, match="申报尚未开始"):
        workflow.submit(case=case_factory(), user=officer_a)


def test_it_refuses_submission_outside_the_submission_phase(case_factory, officer_a, open_round):
    open_round.status = Round.Status.VOTING
    open_round.save()
    with pytest.raises(workflow.TransitionError, match="不在申报阶段"):
        workflow.submit(case=case_factory(), user=officer_a)


def test_a_returned_case_may_be_resubmitted_after_the_deadline(case_factory, officer_a, open_round):
    case = case_factory(S.RETURNED)
    open_round.submission_closes = timezone.now() - timedelta(hours=1)
    open_round.save()
    workflow.submit(case=case, user=officer_a)
    case.refresh_from_db()
    assert case.status == S.SUBMITTED


def test_it_refuses_an_incomplete_case(case_factory, officer_a):
    case = case_factory(summary="", contact_phone="")
    with pytest.raises(workflow.TransitionError, match="摘要.*联系电话"):
        workflow.submit(case=case, user=officer_a)


@pytest.mark.parametrize(
    "others,allowed",
    [
        ([], True),
        ([S.SUBMITTED], True),
        ([S.SUBMITTED, S.ACCEPTED], False),
        ([S.SUBMITTED, S.RETURNED], False),
        ([S.SUBMITTED, S.DRAFT, S.DRAFT], True),
        ([S.SUBMITTED, S.WITHDRAWN, S.REJECTED], True),
    ],
)
def test_quota_counts_submitted_returned_and_accepted_cases(
    case_factory, officer_a, others, allowed
):
    for status in others:
        case_factory(status, title=f"其他案例{status}")
    case = case_factory()
    if allowed:
        workflow.submit(case=case, user=officer_a)
        assert case.status == S.SUBMITTED
    else:
        with pytest.raises(workflow.TransitionError, match="已达每区上限 2 个"):
            workflow.submit(case=case, user=officer_a)


def test_quota_is_per_district(case_factory, officer_b, district_b):
    case_factory(S.SUBMITTED)
    case_factory(S.SUBMITTED)
    case = case_factory(district=district_b)
    workflow.submit(case=case, user=officer_b)
    assert case.status == S.SUBMITTED


def test_resubmitting_a_returned_case_at_the_limit_is_fine(case_factory, officer_a):
    case_factory(S.SUBMITTED)
    returned = case_factory(S.RETURNED)
    workflow.submit(case=returned, user=officer_a)
    assert returned.status == S.SUBMITTED


def test_withdrawal_is_refused_once_the_vote_opened(case_factory, officer_a, open_round):
    open_round.vote_opens = timezone.now() - timedelta(minutes=1)
    open_round.save()
    case = case_factory(S.ACCEPTED)
    with pytest.raises(workflow.TransitionError, match="网络投票已经开始"):
        workflow.withdraw(case=case, user=officer_a)


# --- notifications ------------------------------------------------------------------------------


@pytest.fixture
def reachable_officer(officer_a):
    officer_a.email = "jiading@example.cn"
    officer_a.save()
    return officer_a


@pytest.mark.parametrize(
    "to,subject",
    [(S.RETURNED, "已退回修改"), (S.ACCEPTED, "已受理"), (S.REJECTED, "未予受理")],
)
def test_staff_decisions_mail_the_district_after_commit(
    case_factory, staff, reachable_officer, django_capture_on_commit_callbacks, to, subject
):
    case = case_factory(S.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        workflow.set_case_status(case=case, to=to, user=staff, reason="请补充成效数据")
        assert mail.outbox == []  # nothing leaves before the commit
    assert len(callbacks) == 1
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert subject in message.subject and case.title in message.subject
    assert message.to == ["jiading@example.cn"]
    assert "请补充成效数据" in message.body
    assert f"/cases/submission/{case.pk}/" in message.body


def test_submission_sends_no_mail(
    case_factory, reachable_officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        workflow.submit(case=case_factory(), user=reachable_officer)
    assert callbacks == [] and mail.outbox == []


def test_the_transition_task_is_idempotent(case_factory, staff, reachable_officer):
    case = case_factory(S.SUBMITTED)
    transition = workflow.set_case_status(case=case, to=S.ACCEPTED, user=staff)
    assert notify_case_transition.delay(transition.pk).get() is True
    assert notify_case_transition.delay(transition.pk).get() is False
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(key=f"transition:{transition.pk}").count() == 1


def test_a_failed_send_is_retried_not_recorded(case_factory, staff, reachable_officer, monkeypatch):
    case = case_factory(S.SUBMITTED)
    transition = workflow.set_case_status(case=case, to=S.ACCEPTED, user=staff)

    def broken(*args, **kwargs):
        raise ConnectionError("smtp down")

    monkeypatch.setattr(notifications, "send_mail", broken)
    with pytest.raises(ConnectionError):
        notifications.send_transition_notice(transition.pk)
    assert not Notification.objects.exists()
    monkeypatch.undo()
    assert notifications.send_transition_notice(transition.pk) is True
    assert len(mail.outbox) == 1


def test_publication_notice_goes_to_each_district_once(
    published_round, district_a, reachable_officer
):
    make = published_round.cases.create
    make(district=district_a, title="一窗通办", status=S.PUBLISHED, tier="优秀案例", rank=1)
    make(district=district_a, title="容缺受理", status=S.PUBLISHED, tier="良好实践", rank=2)
    assert notify_round_published.delay(published_round.pk).get() == 1
    assert notify_round_published.delay(published_round.pk).get() == 0
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "优秀案例 排名1：一窗通办" in body and "良好实践 排名2：容缺受理" in body
    assert mail.outbox[0].to == ["jiading@example.cn"]


def test_publication_notice_waits_for_publication(open_round, reachable_officer):
    assert notifications.send_publication_notice(open_round.pk) == 0
    assert mail.outbox == []
