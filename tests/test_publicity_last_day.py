"""One stated last day of the 公示 (a legal notice period), shown alike on the public page, the
staff pages, the records and the refusal to publish; a 公示 ended early states the day it ended."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from publishing import publication, publication_confirm
from publishing.models import PublicationEvent
from publishing.publicity_end import end_publicity_early
from tests.factories import approved_round

pytestmark = pytest.mark.django_db


def aware(*args):
    return timezone.make_aware(datetime.datetime(*args))


def pages(client, staff, round_):
    public = client.get(reverse("publishing:publicity", args=[round_.pk])).content.decode()
    client.force_login(staff)
    detail = client.get(reverse("publishing:round", args=[round_.pk])).content.decode()
    listing = client.get(reverse("publishing:rounds")).content.decode()
    client.logout()
    return public, detail, listing


def test_every_page_and_record_states_the_same_last_day(client, staff):
    round_ = approved_round()
    # Wednesday 9 October 2024: the 9th, 10th, 11th, Saturday 12th (调休) and Monday 14th.
    publication.start_publicity(round=round_, now=aware(2024, 10, 9, 15, 30))
    round_.refresh_from_db()
    assert round_.publicity_last_day == datetime.date(2024, 10, 14)

    for page in pages(client, staff, round_):
        assert "2024年10月14日" in page
        assert "10月15日" not in page and "2024-10-15" not in page
    started = round_.publication_events.get(kind=PublicationEvent.Kind.PUBLICITY_STARTED)
    assert started.reason == "开始公示，至 2024年10月14日 止"
    assert round_.history.first().history_change_reason == started.reason
    [refusal] = publication.publish_blockers(round_, now=aware(2024, 10, 14, 23, 0))
    assert refusal == "公示期尚未结束（至 2024年10月14日 止），不能公布。"


def test_the_confirmation_states_the_last_day_not_the_midnight_after_it():
    round_ = approved_round()
    starts, ends = publication.publicity_window(timezone.now(), round_.publicity_days)
    last = (timezone.localtime(ends) - datetime.timedelta(days=1)).date()
    said = " ".join(publication_confirm.start_publicity(round_).consequences)
    assert f"至 {last.year}年{last.month}月{last.day}日 止" in said
    assert "00:00" not in said


def test_a_publicity_ended_early_states_the_day_it_ended(client, staff):
    round_ = approved_round()
    publication.start_publicity(round=round_, now=aware(2024, 10, 9, 15, 30))
    end_publicity_early(round=round_, user=staff, reason="名单无异议", now=aware(2024, 10, 11, 10))
    round_.refresh_from_db()
    assert round_.publicity_last_day == datetime.date(2024, 10, 11)
    public, detail, listing = pages(client, staff, round_)
    for page in (public, listing):
        assert "至 2024年10月11日" in page and "2024年10月14日" not in page
    assert "公示期：2024年10月9日 至 2024年10月11日" in detail
    ended = round_.publication_events.get(kind=PublicationEvent.Kind.PUBLICITY_ENDED)
    assert ended.reason == "提前结束公示，至 2024年10月11日 止：名单无异议"
