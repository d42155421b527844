"""Publication steps: the public notice period, publish in one transaction, unpublish."""

import datetime

import chinese_calendar
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseTransition, Round
from publishing import publication, working_days
from publishing.models import Objection, PublicationEvent
from publishing.objections import file_objection
from tests.factories import approved_round

pytestmark = pytest.mark.django_db
S = Round.Status
NOTICE = {"notice_preamble": "第一段。\n第二段。", "notice_attachment": "上海市2024年度附件"}


def aware(*args):
    return timezone.make_aware(datetime.datetime(*args))


def in_publicity(round_, now=None):
    publication.start_publicity(round=round_, now=now or aware(2024, 10, 7, 9))
    round_.refresh_from_db()
    return round_


def after_period(round_):
    return round_.publicity_ends + datetime.timedelta(minutes=1)


@pytest.mark.parametrize(
    "start, days, end",
    [
        ("2024-10-14", 5, "2024-10-18"),  # Monday of an ordinary week: the same week
        ("2024-10-16", 5, "2024-10-22"),  # Wednesday: skips the weekend
        ("2024-10-19", 5, "2024-10-25"),  # Saturday: counting starts Monday
        ("2024-10-18", 1, "2024-10-18"),
        # 国庆 2024: 1–7 October off; Saturday 12 October worked in lieu (调休).
        ("2024-09-30", 5, "2024-10-11"),
        ("2024-10-07", 5, "2024-10-12"),
        # 春节 2025: 28 January – 4 February off; Saturday 8 February worked.
        ("2025-01-27", 3, "2025-02-06"),
        ("2025-02-07", 2, "2025-02-08"),
    ],
)
def test_working_days_follow_chinas_calendar(start, days, end):
    period = working_days.add_working_days(datetime.date.fromisoformat(start), days)
    assert period.last_day == datetime.date.fromisoformat(end)
    assert period.calendar_known


def test_a_year_the_calendar_does_not_know_counts_weekdays_and_says_so():
    year = max(chinese_calendar.constants.holidays).year + 1
    first_monday = next(
        datetime.date(year, 1, d) for d in range(1, 8) if datetime.date(year, 1, d).weekday() == 0
    )
    period = working_days.add_working_days(first_monday, 5)
    assert period.last_day == first_monday + datetime.timedelta(days=4)
    assert not period.calendar_known
    assert "尚未收录" in working_days.unknown_years_warning(period)


def test_a_period_that_crosses_into_an_unknown_year_is_flagged_too():
    year = max(chinese_calendar.constants.holidays).year
    period = working_days.add_working_days(datetime.date(year, 12, 28), 5)
    assert period.last_day.year == year + 1
    assert not period.calendar_known


def test_staff_see_the_warning_on_the_rounds_publishing_page(client, staff):
    year = max(chinese_calendar.constants.holidays).year
    round_ = in_publicity(approved_round(year=year), aware(year, 12, 30, 9))
    assert publication.calendar_warning(round_)
    client.force_login(staff)
    page = client.get(reverse("publishing:round", args=[round_.pk])).content.decode()
    assert "尚未收录" in page
    known = in_publicity(approved_round(year=2024), aware(2024, 10, 9, 9))
    assert publication.calendar_warning(known) == ""


def test_publicity_shows_the_approved_list_until_midnight_after_the_last_working_day():
    round_ = in_publicity(approved_round(), aware(2024, 10, 9, 15, 30))
    assert round_.status == S.PUBLICITY
    assert round_.publicity_starts == aware(2024, 10, 9, 15, 30)
    # Wednesday 9 October 2024: the 9th, 10th, 11th, Saturday 12th (调休) and Monday 14th.
    assert round_.publicity_ends == aware(2024, 10, 15, 0, 0)
    assert round_.publication_events.get().kind == PublicationEvent.Kind.PUBLICITY_STARTED


def test_publicity_needs_an_approved_result():
    round_ = approved_round(status=S.REVIEW)
    with pytest.raises(ValidationError, match="结果已审定"):
        publication.start_publicity(round=round_)


def test_publish_is_refused_while_the_period_runs():
    round_ = in_publicity(approved_round())
    with pytest.raises(ValidationError, match="公示期尚未结束"):
        publication.publish_round(round=round_, notice=NOTICE, now=aware(2024, 10, 10, 12))
    assert Round.objects.get(pk=round_.pk).status == S.PUBLICITY


def test_publish_is_refused_while_an_objection_is_open():
    round_ = in_publicity(approved_round())
    case = round_.cases.get(rank=1, tier="优秀案例")
    file_objection(
        case=case,
        name="张三",
        contact="13800000000",
        grounds="数据有误",
        now=aware(2024, 10, 8, 10),
    )
    with pytest.raises(ValidationError, match="尚有 1 件异议未处理"):
        publication.publish_round(round=round_, notice=NOTICE, now=after_period(round_))
    assert not round_.cases.filter(status=Case.Status.PUBLISHED).exists()


def test_publish_is_refused_before_the_notice_period():
    round_ = approved_round()
    with pytest.raises(ValidationError, match="须经公示后才能公布"):
        publication.publish_round(round=round_, notice=NOTICE)


def test_publish_sets_the_listed_cases_published_and_the_round_published(staff):
    round_ = in_publicity(approved_round())
    publication.publish_round(round=round_, user=staff, notice=NOTICE, now=after_period(round_))
    round_.refresh_from_db()
    assert round_.status == S.PUBLISHED and round_.published_at is not None
    assert round_.notice_preamble == "第一段。\n第二段。"
    published = round_.cases.filter(status=Case.Status.PUBLISHED)
    assert sorted(published.values_list("tier", "rank")) == [
        ("优秀案例", 1),
        ("优秀案例", 2),
        ("良好实践", 1),
        ("良好实践", 2),
    ]
    assert round_.cases.get(title="未获奖案例").status == Case.Status.ACCEPTED
    assert round_.cases.get(title="已撤回案例").status == Case.Status.WITHDRAWN
    assert CaseTransition.objects.filter(to_status="published", by=staff).count() == 4
    event = round_.publication_events.get(kind=PublicationEvent.Kind.PUBLISHED)
    assert event.case_count == 4 and event.by == staff
    assert round_.history.first().history_change_reason == "印发公布"
    assert Case.objects.published().count() == 4


def test_publish_needs_a_preamble():
    round_ = in_publicity(approved_round())
    with pytest.raises(ValidationError, match="通知正文"):
        publication.publish_round(
            round=round_, notice={"notice_preamble": "  "}, now=after_period(round_)
        )


def test_a_failure_mid_publish_leaves_nothing_changed(monkeypatch, staff):
    round_ = in_publicity(approved_round())
    calls = []
    real_save = Case.save

    def failing_save(self, *args, **kwargs):
        calls.append(self.pk)
        if len(calls) == 3:  # two cases are already published when the third fails
            raise RuntimeError("disk full")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Case, "save", failing_save)
    with pytest.raises(RuntimeError):
        publication.publish_round(round=round_, user=staff, notice=NOTICE, now=after_period(round_))
    monkeypatch.undo()
    round_.refresh_from_db()
    assert round_.status == S.PUBLICITY and round_.notice_preamble == ""
    assert not Case.objects.filter(status=Case.Status.PUBLISHED).exists()
    assert not CaseTransition.objects.exists()
    assert not PublicationEvent.objects.filter(kind="published").exists()


def test_a_failing_phase_change_rolls_the_cases_back(monkeypatch):
    round_ = in_publicity(approved_round())

    def boom(**kwargs):
        raise ValidationError("phase door refused")

    monkeypatch.setattr(publication, "set_round_status", boom)
    with pytest.raises(ValidationError):
        publication.publish_round(round=round_, notice=NOTICE, now=after_period(round_))
    assert not Case.objects.filter(status=Case.Status.PUBLISHED).exists()
    assert Round.objects.get(pk=round_.pk).notice_preamble == ""


def test_unpublish_takes_the_list_back_with_a_reason(staff):
    round_ = in_publicity(approved_round())
    publication.publish_round(round=round_, notice=NOTICE, now=after_period(round_))
    publication.unpublish_round(round=round_, user=staff, reason="附件有误，重新核对")
    round_.refresh_from_db()
    assert round_.status == S.PUBLICITY and round_.published_at is None
    assert not Case.objects.published().exists()
    assert round_.cases.filter(status=Case.Status.ACCEPTED).count() == 5
    event = round_.publication_events.get(kind=PublicationEvent.Kind.UNPUBLISHED)
    assert event.reason == "附件有误，重新核对" and event.case_count == 4
    assert round_.history.first().history_change_reason == "附件有误，重新核对"
    case = round_.cases.get(title="智能退税")
    assert case.history.first().history_change_reason == "附件有误，重新核对"


def test_unpublish_may_return_to_the_approved_result():
    round_ = in_publicity(approved_round())
    publication.publish_round(round=round_, notice=NOTICE, now=after_period(round_))
    publication.unpublish_round(round=round_, reason="重新审定", to=S.APPROVED)
    assert Round.objects.get(pk=round_.pk).status == S.APPROVED


def test_unpublish_needs_a_reason_and_a_published_round():
    round_ = approved_round()
    with pytest.raises(ValidationError, match="理由"):
        publication.unpublish_round(round=round_, reason=" ")
    with pytest.raises(ValidationError, match="尚未公布"):
        publication.unpublish_round(round=round_, reason="x")


def test_a_failure_mid_unpublish_leaves_it_published(monkeypatch):
    round_ = in_publicity(approved_round())
    publication.publish_round(round=round_, notice=NOTICE, now=after_period(round_))
    monkeypatch.setattr(publication, "_event", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        publication.unpublish_round(round=round_, reason="x")
    assert Round.objects.get(pk=round_.pk).status == S.PUBLISHED
    assert Case.objects.published().count() == 4


def test_draft_notice_is_prefilled_from_the_round():
    round_ = approved_round(year=2024, review_closes=aware(2024, 10, 20, 12))
    draft = publication.draft_notice(round_, today=datetime.date(2024, 11, 8))
    assert draft["notice_attachment"] == "上海市2024年度各区优化营商环境优秀案例和良好实践"
    assert "引领性强、感受度高、可复制推广" in draft["notice_preamble"]
    assert "优秀案例2个、良好实践2个" in draft["notice_preamble"]
    assert "今年10月" in draft["notice_preamble"]
    assert draft["notice_date"] == datetime.date(2024, 11, 8)
    assert draft["notice_title"] == "关于印发上海市2024年度各区优化营商环境优秀案例和良好实践的通知"
    round_.notice_preamble = "已写好的正文"
    assert publication.draft_notice(round_)["notice_preamble"] == "已写好的正文"


def test_objection_dismissed_unblocks_publish(staff):
    from publishing.objections import dismiss_objection

    round_ = in_publicity(approved_round())
    objection = file_objection(
        case=round_.cases.get(title="智能退税"),
        name="李四",
        contact="li@example.cn",
        grounds="理由",
        now=aware(2024, 10, 8),
    )
    dismiss_objection(objection=objection, user=staff, reason="经核实，数据来源可靠")
    assert Objection.objects.get().status == Objection.Status.DISMISSED
    publication.publish_round(round=round_, notice=NOTICE, now=after_period(round_))
    assert Round.objects.get(pk=round_.pk).status == S.PUBLISHED
