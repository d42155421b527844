"""Attacks on 申请退回修改 (return requests) and the expert's confirmation page.

The tests under "defects" failed on the code as first written (each fixed since); those under
"holds" record the attacks that were tried and refused.
"""

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases import notifications, workflow
from cases.models import Case, ReturnRequest
from cases.submission.forms import CaseForm
from reviews.factories import SCORES, review_round
from reviews.models import Assignment, ScoreSheet
from tests.conftest import make_user
from tests.submission.test_return_requests import (
    REASON,
    R,
    S,
    ask_url,
    decline_url,
    messages_of,
)

# ============================== defects ========================================================


def test_refusal_mail_does_not_go_to_a_requester_now_in_another_district(
    officer_a, staff, district_b, submitted, django_capture_on_commit_callbacks
):
    """Only the case's district is told of the refusal. The requester is added as an ``extra``
    recipient whatever district (or role) they hold now (cases/notifications.py,
    send_return_declined_notice: ``extra=[request.requested_by]``)."""
    officer_a.email = "moved@example.cn"
    officer_a.save()
    workflow.request_return(case=submitted, user=officer_a, reason=REASON)
    # The officer moves to Pudong before staff answer.
    officer_a.district = district_b
    officer_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.decline_return_request(case=submitted, user=staff, answer="已进入受理。")
    sent_to = [address for message in mail.outbox for address in message.to]
    assert "moved@example.cn" not in sent_to


def test_refusal_mail_does_not_go_to_a_requester_who_became_an_expert(
    officer_a, staff, submitted, django_capture_on_commit_callbacks
):
    """Same hole, another role: a former officer now an expert (no district) still gets the
    district's refusal mail with the case's title and staff's answer."""
    officer_a.email = "now-expert@example.cn"
    officer_a.save()
    workflow.request_return(case=submitted, user=officer_a, reason=REASON)
    officer_a.role, officer_a.district = "expert", None
    officer_a.save()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.decline_return_request(case=submitted, user=staff, answer="已进入受理。")
    sent_to = [address for message in mail.outbox for address in message.to]
    assert "now-expert@example.cn" not in sent_to


def test_an_old_refusal_is_not_shown_on_a_later_submission(client, officer_a, staff, submitted):
    """Request → declined; staff later return the case on their own; the district revises and
    resubmits. The new submission's page still shows the earlier refusal as the current
    answer ("市发改委未同意退回"), because cases/submission/steps.py:73-75 shows the latest
    request of any submission cycle if it is declined."""
    workflow.request_return(case=submitted, user=officer_a, reason=REASON)
    workflow.decline_return_request(case=submitted, user=staff, answer="材料已进入受理。")
    workflow.return_for_revision(case=submitted, user=staff, reason="请补充附件。")
    workflow.submit(case=submitted, user=officer_a)
    submitted.refresh_from_db()
    assert submitted.status == S.SUBMITTED
    client.force_login(officer_a)
    detail = client.get(reverse("cases:submission_detail", args=[submitted.pk])).content.decode()
    assert 'id="return-declined"' not in detail
    assert "材料已进入受理。" not in detail


def test_a_title_with_a_line_break_does_not_break_the_request_mail_or_the_sweep(
    officer_a, staff, case_factory
):
    """The case form accepts a line break in the title (a CharField with a TextInput; nothing
    strips it), and send_return_requested_notice puts the title in the Subject header:
    django.core.mail raises BadHeaderError, the Notification row is rolled back, and every
    recovery sweep raises again (cases/notifications.py send_pending_return_request_notices),
    stopping the other pending notices too."""
    # Stored as typed by an older form, an import or the shell (the case form now makes a
    # title one line: test_the_case_form_keeps_titles_on_one_line).
    title = "一窗通办\nBcc: victim@example.com"
    staff.email = "staff@fgw.example.cn"
    staff.save()
    case = case_factory(S.SUBMITTED, title=title)
    request = workflow.request_return(case=case, user=officer_a, reason=REASON)
    ReturnRequest.objects.filter(pk=request.pk).update(
        requested_at=timezone.now() - timedelta(minutes=10)
    )
    # Must not raise; the staff must get the mail (with the title on one line).
    notifications.send_pending_notices()
    assert len(mail.outbox) == 1
    assert "\n" not in mail.outbox[0].subject


def test_a_title_with_a_line_break_does_not_make_the_request_a_server_error(
    client, officer_a, staff, case_factory, django_capture_on_commit_callbacks
):
    """The same title through the officer's own POST (tasks run eagerly, as in `make run`)."""
    staff.email = "staff@fgw.example.cn"
    staff.save()
    case = case_factory(S.SUBMITTED, title="一窗通办\n提速")
    client.force_login(officer_a)
    client.raise_request_exception = False
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(ask_url(case), {"reason": REASON})
    assert response.status_code == 302
    assert len(mail.outbox) == 1


def test_a_superuser_who_may_decline_is_also_told_of_the_request(
    officer_a, submitted, django_capture_on_commit_callbacks
):
    """The request mail goes to ``role="staff"`` only (notifications.staff_recipients), while
    commission staff are ``role == staff or is_superuser`` (accounts.models.is_commission_staff)
    and a superuser may decline the request. Low severity, recorded for completeness."""
    make_user("admin", is_superuser=True, is_staff=True, email="admin@fgw.example.cn")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.request_return(case=submitted, user=officer_a, reason=REASON)
    sent_to = [address for message in mail.outbox for address in message.to]
    assert "admin@fgw.example.cn" in sent_to


def test_the_case_form_keeps_titles_on_one_line(open_round):
    form = CaseForm(
        data={"title": "一窗通办\r\nBcc: victim@example.com", "subtitle": "持续\t优化  服务"},
        instance=Case(round=open_round),
    )
    assert form.is_valid(), form.errors
    assert form.cleaned_data["title"] == "一窗通办 Bcc: victim@example.com"
    assert form.cleaned_data["subtitle"] == "持续 优化 服务"


# ============================== holds ==========================================================


def test_holds_csrf_is_required_on_both_new_posts(officer_a, staff, submitted):
    hostile = Client(enforce_csrf_checks=True)
    hostile.force_login(officer_a)
    assert hostile.post(ask_url(submitted), {"reason": REASON}).status_code == 403
    workflow.request_return(case=submitted, user=officer_a, reason=REASON)
    hostile.force_login(staff)
    assert hostile.post(decline_url(submitted), {"reason": "不行"}).status_code == 403
    assert ReturnRequest.objects.get().status == R.OPEN


def test_holds_anonymous_expert_and_other_district(client, officer_b, expert, submitted):
    assert client.post(ask_url(submitted), {"reason": REASON}).status_code == 302  # login
    assert client.post(decline_url(submitted), {"reason": "x"}).status_code == 302
    client.force_login(expert)
    assert client.post(ask_url(submitted), {"reason": REASON}).status_code == 404
    assert client.post(decline_url(submitted), {"reason": "x"}).status_code == 403
    client.force_login(officer_b)
    assert client.post(decline_url(submitted), {"reason": "x"}).status_code == 403
    assert not ReturnRequest.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {"reason": "改" * 100_000},
        {},
        {"reason": "\u3000\u00a0\u2003"},
    ],
)
def test_holds_hostile_reasons_are_messages_not_errors(client, officer_a, submitted, data):
    client.force_login(officer_a)
    response = client.post(ask_url(submitted), data)
    assert response.status_code == 302 and messages_of(response)
    assert not ReturnRequest.objects.exists()


def test_holds_nul_is_stripped_before_the_view(client, officer_a, submitted):
    client.force_login(officer_a)
    assert client.post(ask_url(submitted), {"reason": "改\x00数据"}).status_code == 302
    assert ReturnRequest.objects.get().reason == "改数据"  # core.nul removes it


def test_holds_repeated_reason_takes_one_value(client, officer_a, submitted):
    client.force_login(officer_a)
    client.post(ask_url(submitted), {"reason": ["甲", "乙"]})
    assert ReturnRequest.objects.get().reason == "乙"


def test_holds_stored_xss_is_escaped_everywhere(client, officer_a, staff, submitted):
    evil = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    workflow.request_return(case=submitted, user=officer_a, reason=evil)
    client.force_login(staff)
    review_page = client.get(reverse("cases:staff_case", args=[submitted.pk])).content.decode()
    workflow.decline_return_request(case=submitted, user=staff, answer=evil)
    client.force_login(officer_a)
    pages = [
        review_page,
        client.get(reverse("cases:submission_detail", args=[submitted.pk])).content.decode(),
        client.get(reverse("cases:submission_history", args=[submitted.pk])).content.decode(),
    ]
    for page in pages:
        assert "<script>alert(1)" not in page and "<img src=x" not in page


def test_holds_decline_on_a_case_that_left_submitted(client, officer_a, staff, case_factory):
    case = case_factory(S.SUBMITTED)
    workflow.request_return(case=case, user=officer_a, reason=REASON)
    workflow.accept(case=case, user=staff)
    client.force_login(staff)
    assert client.post(decline_url(case), {"reason": "不行"}).status_code == 403
    assert ReturnRequest.objects.get().status == R.CLOSED


# --- expert confirmation ------------------------------------------------------------------------


@pytest.fixture
def sheet_url(db, expert):
    round_, cases = review_round()
    assignment = Assignment.objects.create(round=round_, case=cases[0], expert=expert)
    return round_, assignment, reverse("reviews:sheet", args=[assignment.pk])


def test_holds_confirmed_post_revalidates_changed_values(client, expert, sheet_url):
    _round, assignment, url = sheet_url
    client.force_login(expert)
    client.post(url, {**SCORES, "action": "submit"})
    for bad in ({**SCORES, "leading": "400"}, {**SCORES, "felt": ""}, {"leading": "30"}):
        client.post(url, {**bad, "action": "submit", "confirmed": "yes"})
        assert ScoreSheet.objects.get(assignment=assignment).status == "draft"


def test_holds_confirming_after_the_review_closed(client, expert, sheet_url):
    round_, assignment, url = sheet_url
    client.force_login(expert)
    client.post(url, {**SCORES, "action": "submit"})
    round_.status = "approved"
    round_.save()
    response = client.post(url, {**SCORES, "action": "submit", "confirmed": "yes"})
    assert response.status_code == 403  # the review is over: the sheet is read-only
    assert ScoreSheet.objects.get(assignment=assignment).status == "draft"


def test_holds_another_expert_cannot_confirm(client, expert_b, sheet_url):
    _round, assignment, url = sheet_url
    client.force_login(expert_b)
    response = client.post(url, {**SCORES, "action": "submit", "confirmed": "yes"})
    assert response.status_code == 404
    assert not ScoreSheet.objects.filter(assignment=assignment).exists()
