"""申请退回修改: a district asks for its submitted (locked) case back; staff grant it by
returning the case or decline it with a reason the district reads."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cases import notifications, workflow
from cases.models import Case, ReturnRequest

S = Case.Status
R = ReturnRequest.Status
REASON = "第三部分的办件量数据填错，应为83.97万件。"
NO_REASON = "请说明要修改的内容和原因。"


def ask_url(case):
    return reverse("cases:submission_return_request", args=[case.pk])


def decline_url(case):
    return reverse("cases:staff_return_request_decline", args=[case.pk])


def page(client, name, case):
    return client.get(reverse(name, args=[case.pk])).content.decode()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


def test_the_locked_page_offers_the_request_and_staff_see_it(client, officer_a, staff, submitted):
    client.force_login(officer_a)
    locked = client.get(reverse("cases:submission_edit", args=[submitted.pk]))
    assert locked.status_code == 403 and 'id="return-reason"' in locked.content.decode()

    response = client.post(ask_url(submitted), {"reason": f"  {REASON}  "})
    assert response.url.endswith("#return-request")
    request = ReturnRequest.objects.get(case=submitted)
    assert (request.status, request.reason, request.requested_by) == (R.OPEN, REASON, officer_a)
    detail = page(client, "cases:submission_detail", submitted)
    assert "等待市发改委处理" in detail and REASON in detail
    assert 'id="return-reason"' not in detail  # no second request while one is open
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED  # asking changes nothing by itself

    client.force_login(staff)
    review_page = page(client, "cases:staff_case", submitted)
    assert "区里申请退回修改" in review_page and REASON in review_page
    dashboard = client.get(reverse("cases:staff_dashboard"), {"round": submitted.round_id})
    assert 'data-testid="return-requested"' in dashboard.content.decode()


@pytest.mark.parametrize(
    "reason,message",
    [("", NO_REASON), ("　 ", NO_REASON), ("改" * 501, "500")],
)
def test_a_request_needs_a_reason_of_at_most_500_characters(
    client, officer_a, submitted, reason, message
):
    client.force_login(officer_a)
    response = client.post(ask_url(submitted), {"reason": reason})
    assert any(message in m for m in messages_of(response))
    assert not ReturnRequest.objects.exists()


def test_one_open_request_per_case(client, officer_a, submitted):
    client.force_login(officer_a)
    client.post(ask_url(submitted), {"reason": REASON})
    response = client.post(ask_url(submitted), {"reason": "再申请一次"})
    assert "已申请退回，请等待市发改委处理。" in messages_of(response)
    assert ReturnRequest.objects.count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():  # the database holds it too
        ReturnRequest.objects.create(case=submitted, reason="并发的第二个申请")


def test_returning_the_case_grants_the_request(client, officer_a, staff, submitted):
    workflow.request_return(case=submitted, user=officer_a, reason=REASON)
    client.force_login(staff)
    url = reverse("cases:staff_case_action", args=[submitted.pk, "return"])
    client.post(url, {"reason": "同意退回，请改正办件量。"})
    request = ReturnRequest.objects.get(case=submitted)
    assert (request.status, request.answer, request.answered_by) == (
        R.GRANTED,
        "同意退回，请改正办件量。",
        staff,
    )
    client.force_login(officer_a)
    detail = page(client, "cases:submission_detail", submitted)
    assert "同意退回，请改正办件量。" in detail and 'id="return-request"' not in detail
    assert client.get(reverse("cases:submission_edit", args=[submitted.pk])).status_code == 200


def test_staff_decline_with_a_reason_the_district_reads(client, officer_a, staff, submitted):
    workflow.request_return(case=submitted, user=officer_a, reason=REASON)
    client.force_login(staff)
    response = client.post(decline_url(submitted), {"reason": "  "})
    assert any("请填写不同意退回的理由" in m for m in messages_of(response))
    assert ReturnRequest.objects.get(case=submitted).status == R.OPEN
    client.post(decline_url(submitted), {"reason": "材料已进入受理，数据差异请在答辩时说明。"})
    request = ReturnRequest.objects.get(case=submitted)
    assert (request.status, request.answered_by) == (R.DECLINED, staff)
    assert "区里申请退回修改" not in page(client, "cases:staff_case", submitted)

    client.force_login(officer_a)
    detail = page(client, "cases:submission_detail", submitted)
    assert "市发改委未同意退回" in detail and "数据差异请在答辩时说明" in detail
    assert 'id="return-reason"' in detail  # may ask again, saying more
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED


def test_accepting_or_withdrawing_the_case_closes_the_open_request(officer_a, staff, case_factory):
    accepted, withdrawn = case_factory(S.SUBMITTED), case_factory(S.SUBMITTED, title="另一个")
    for case in (accepted, withdrawn):
        workflow.request_return(case=case, user=officer_a, reason=REASON)
    workflow.accept(case=accepted, user=staff)
    workflow.withdraw(case=withdrawn, user=officer_a)
    assert list(ReturnRequest.objects.order_by("case_id").values_list("status", "answer")) == [
        (R.CLOSED, "案例已改为“已受理”。"),
        (R.CLOSED, "案例已改为“已撤回”。"),
    ]


def test_who_may_ask_and_answer(client, officer_a, officer_b, staff, case_factory):
    submitted, accepted = case_factory(S.SUBMITTED), case_factory(S.ACCEPTED, title="已受理的")
    client.force_login(officer_b)  # another district: the case does not exist for them
    assert client.post(ask_url(submitted), {"reason": REASON}).status_code == 404
    client.force_login(staff)  # staff return cases themselves
    assert client.post(ask_url(submitted), {"reason": REASON}).status_code == 403
    client.force_login(officer_a)
    assert client.post(ask_url(accepted), {"reason": REASON}).status_code == 403
    assert client.get(ask_url(submitted)).status_code == 405
    assert not ReturnRequest.objects.exists()
    workflow.request_return(case=submitted, user=officer_a, reason=REASON)
    assert client.post(decline_url(submitted), {"reason": "不行"}).status_code == 403
    assert ReturnRequest.objects.get().status == R.OPEN


# --- who is told ------------------------------------------------------------------------------


@pytest.fixture
def reachable(officer_a, staff):
    officer_a.email, staff.email = "jiading@example.cn", "staff@fgw.example.cn"
    officer_a.save()
    staff.save()
    return officer_a, staff


def test_staff_are_mailed_the_request_and_the_district_the_refusal(
    reachable, submitted, django_capture_on_commit_callbacks
):
    officer, staff = reachable
    with django_capture_on_commit_callbacks(execute=True):
        workflow.request_return(case=submitted, user=officer, reason=REASON)
        assert mail.outbox == []  # nothing leaves before the commit
    (asked,) = mail.outbox
    assert asked.to == ["staff@fgw.example.cn"]
    assert "嘉定区申请退回案例" in asked.subject and submitted.title in asked.subject
    assert REASON in asked.body and f"/cases/staff/cases/{submitted.pk}/" in asked.body

    with django_capture_on_commit_callbacks(execute=True):
        workflow.decline_return_request(case=submitted, user=staff, answer="已进入受理。")
    declined = mail.outbox[1]
    assert declined.to == ["jiading@example.cn"]
    assert "退回申请未获同意" in declined.subject
    assert "已进入受理。" in declined.body and f"/cases/submission/{submitted.pk}/" in declined.body


def test_the_sweep_sends_what_a_lost_task_left_once(reachable, submitted):
    officer, staff = reachable
    # No on-commit callbacks run here (the test's transaction never commits): as if the
    # broker had lost both tasks.
    workflow.request_return(case=submitted, user=officer, reason=REASON)
    workflow.decline_return_request(case=submitted, user=staff, answer="已进入受理。")
    assert mail.outbox == []
    assert notifications.send_pending_notices() == 0  # younger than the grace: may be queued
    later = timezone.now() + timedelta(minutes=5)
    assert notifications.send_pending_notices(now=later) == 2
    assert notifications.send_pending_notices(now=later) == 0
    assert sorted(m.to[0] for m in mail.outbox) == ["jiading@example.cn", "staff@fgw.example.cn"]


def test_the_case_history_lists_each_request_and_its_answer(client, officer_a, staff, submitted):
    workflow.request_return(case=submitted, user=officer_a, reason=REASON)
    workflow.decline_return_request(case=submitted, user=staff, answer="已进入受理。")
    again = "补充说明：数据来自区政务服务中心。"
    workflow.request_return(case=submitted, user=officer_a, reason=again)
    client.force_login(officer_a)
    history = page(client, "cases:submission_history", submitted)
    assert history.count("申请退回 ·") == 2
    assert REASON in history and "已进入受理。" in history and "未同意" in history
    assert again in history and "待处理" in history
