"""Working days as China's calendar counts them, for the public notice period (公示).

Public holidays are skipped and the weekend days worked in lieu (调休) count, from the
``chinesecalendar`` package (the State Council's yearly arrangement, as far as its release
knows). For a year it does not know yet, Monday to Friday are counted and the answer says
so, for staff to check the dates by hand.
"""

import datetime
from dataclasses import dataclass

import chinese_calendar


@dataclass(frozen=True)
class Period:
    last_day: datetime.date
    calendar_known: bool  # False: a day of the period fell in a year the calendar lacks


def is_working_day(day: datetime.date) -> tuple[bool, bool]:
    """(whether ``day`` is a working day, whether the official calendar said so)."""
    try:
        return chinese_calendar.is_workday(day), True
    except NotImplementedError:  # a year after the package's release
        return day.weekday() < 5, False


def add_working_days(start: datetime.date, days: int) -> Period:
    """The last day of a period of ``days`` working days from ``start`` (``start`` counts
    when it is a working day)."""
    if days < 1:
        raise ValueError("days must be positive")
    day, counted, known = start, 0, True
    while True:
        working, official = is_working_day(day)
        known = known and official
        if working:
            counted += 1
            if counted == days:
                return Period(day, known)
        day += datetime.timedelta(days=1)


def unknown_years_warning(period: Period) -> str:
    """What staff are told when the period reaches a year the calendar does not know."""
    if period.calendar_known:
        return ""
    return (
        "公示期跨入节假日安排尚未收录的年份，已仅按周一至周五计算工作日，"
        "请对照国务院办公厅公布的放假安排核对截止日期。"
    )
