"""The audit log speaks Chinese and local time (issue #19): states by their labels, people by
name, Asia/Shanghai to the second, JSON fields as lines, filters and pages."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from accounts import audit
from cases.models import Case, Round
from publishing import objections, publication
from publishing.models import Objection
from tests.factories import approved_round
from tests.submission.conftest import make_case

SHANGHAI = ZoneInfo("Asia/Shanghai")


def field(model, name):
    return model._meta.get_field(name)


def test_states_read_as_the_pages_show_them():
    assert audit.value_lines(field(Case, "status"), "returned") == ["退回修改"]
    assert audit.value_lines(field(Round, "status"), "publicity") == ["公示中"]
    assert audit.readable_reason(Case, "returned → submitted") == "退回修改 → 已申报"
    assert audit.readable_reason(Round, "review → approved") == "专家评审 → 结果已审定"
    assert audit.readable_reason(Case, "请补充数据") == "请补充数据"


def test_people_and_related_objects_read_by_name(staff):
    staff.last_name, staff.first_name = "王", "小明"
    staff.save()
    assert audit.value_lines(field(Objection, "answered_by"), staff.pk) == ["王小明"]
    assert audit.value_lines(field(Objection, "answered_by"), None) == ["（空）"]
    assert audit.value_lines(field(Objection, "answered_by"), 999_999) == ["#999999（已删除）"]


def test_times_are_shanghai_to_the_second():
    moment = datetime.datetime(2026, 3, 1, 1, 2, 3, 456789, tzinfo=datetime.UTC)
    assert audit.local_time(moment) == "2026-03-01 09:02:03"
    assert audit.value_lines(field(Round, "publicity_ends"), moment) == ["2026-03-01 09:02:03"]


def test_json_fields_read_as_lines():
    criteria = [
        {"key": "leading", "label": "引领性强", "max": 40, "weight": 1, "guidance": "看示范带动"},
        {"key": "felt", "label": "感受度高", "max": 30, "weight": 1},
    ]
    lines = audit.value_lines(field(Round, "criteria"), criteria)
    assert lines == [
        "代码：leading，名称：引领性强，满分：40，权重：1，评分说明：看示范带动",
        "代码：felt，名称：感受度高，满分：30，权重：1",
    ]
    assert audit.value_lines(field(Round, "tiers"), [{"name": "优秀案例", "size": 10}]) == [
        "档次：优秀案例，数量：10"
    ]
    assert audit.value_lines(field(Round, "red_header"), True) == ["是"]


def test_the_page_shows_an_answered_objection_by_name_and_label(client, staff, db):
    staff.last_name, staff.first_name = "李", "审核"
    staff.save()
    round_ = approved_round()
    publication.start_publicity(round=round_, user=staff)
    objection = Objection.objects.create(
        round=round_,
        case=publication.listed_cases(round_).first(),
        name="a",
        contact="b",
        grounds="c",
    )
    objections.dismiss_objection(objection=objection, user=staff, reason="经核实，数据准确")
    client.force_login(staff)
    html = client.get(reverse("accounts:audit"), {"model": "publishing.objection"}).content.decode()
    assert "处理人" in html and "李审核" in html
    assert "待处理" in html and "不予采纳" in html  # the status, before and after
    assert "open" not in html.split("<tbody>", 1)[1]
    page = client.get(reverse("accounts:audit"), {"round": round_.pk}).content.decode()
    assert "公示中" in page


def test_filters_by_round_case_person_and_kind(staff, officer_a, district_a, db):
    first = Round.objects.create(year=2027, title="第一轮", status=Round.Status.SUBMISSION)
    second = Round.objects.create(year=2028, title="第二轮", status=Round.Status.SUBMISSION)
    mine = make_case(first, district_a, Case.Status.SUBMITTED, title="第一轮案例")
    other = make_case(second, district_a, Case.Status.SUBMITTED, title="第二轮案例")
    for case in (mine, other):
        case.title = case.title + "（改）"
        case._history_user = staff
        case.save()
    by_round = audit.page(audit.Filters(round_id=first.pk)).entries
    assert by_round and all(e.object_repr.startswith("第一轮") for e in by_round), [
        e.object_repr for e in by_round
    ]
    by_case = audit.page(audit.Filters(case_id=other.pk)).entries
    assert {e.object_id for e in by_case} == {other.pk}
    by_person = audit.page(audit.Filters(user_id=staff.pk)).entries
    assert len(by_person) == 2 and all(e.user == str(staff) for e in by_person)
    assert audit.page(audit.Filters(user_id=officer_a.pk)).entries == []
    kinds = audit.page(audit.Filters(model_label="cases.round")).entries
    assert {e.model_label for e in kinds} == {"cases.round"}


def test_pages_of_the_trail(staff, db):
    round_ = Round.objects.create(year=2027, title="翻页", status=Round.Status.DRAFT)
    for n in range(5):
        round_.title = f"翻页{n}"
        round_.save()
    filters = audit.Filters(round_id=round_.pk)
    one = audit.page(filters, 1, size=4)
    two = audit.page(filters, 2, size=4)
    assert one.total == 6 and one.has_next and not one.has_previous
    assert len(one.entries) == 4 and len(two.entries) == 2 and not two.has_next
    assert one.entries[0].object_repr == "翻页4"


def _trail(response):
    return [(e.model_label, e.object_id, e.object_repr) for e in response.context["entries"]]


INVALID = [
    "筛选条件“评选”无效，已忽略。",
    "筛选条件“案例编号”无效，已忽略。",
    "筛选条件“操作人”无效，已忽略。",
]


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("abc", INVALID),
        ("99999999999999999999999", INVALID),
        ("-1", INVALID),
        ("1x", INVALID),
        ("²", INVALID),
        ("\x00abc", INVALID),
        ("\x00", []),  # NUL is removed before any view reads it (core.nul): no filter at all
    ],
)
def test_hostile_filters_are_ignored_with_a_message(client, staff, value, said):
    round_ = Round.objects.create(year=2027, title="筛选", status=Round.Status.DRAFT)
    round_.title = "筛选后"
    round_.save()
    client.force_login(staff)
    response = client.get(
        reverse("accounts:audit"), {"round": value, "case": value, "user": value, "page": value}
    )
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == said
    for message in said:
        assert message in response.content.decode()
    # The unfiltered trail, from its first page.
    unfiltered = client.get(reverse("accounts:audit"))
    assert response.context["page"].number == 1
    assert _trail(response) == _trail(unfiltered)
    assert ("cases.round", round_.pk, "筛选后") in _trail(response)


def test_a_filter_typed_in_another_scripts_digits_is_read_as_the_number(client, staff):
    first = Round.objects.create(year=2027, title="其一", status=Round.Status.DRAFT)
    Round.objects.create(year=2028, title="其二", status=Round.Status.DRAFT)
    client.force_login(staff)
    arabic_indic = "".join(chr(0x0660 + int(d)) for d in str(first.pk))
    response = client.get(reverse("accounts:audit"), {"round": arabic_indic})
    assert response.status_code == 200
    assert list(response.context["messages"]) == []
    assert {(e.object_id, e.object_repr) for e in response.context["entries"]} == {
        (first.pk, "其一")
    }
