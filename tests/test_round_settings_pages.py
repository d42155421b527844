"""Staff set up everything a round needs on the round page, not in the admin (issue #19):
criteria with their scoring guidance, tiers, and the settings the admin alone held."""

import pytest
from django.urls import reverse

from cases.models import Round
from tests.submission.test_staff import round_post, rows


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def criteria(*items):
    return rows("criteria", list(items))


def test_criteria_keep_their_scoring_guidance(staff_client, db):
    data = round_post(
        **criteria(
            {
                "label": "创新性强",
                "max": "40",
                "weight": "1",
                "key": "",
                "guidance": "看首创和突破",
            },
            {"label": "实效性高", "max": "60", "weight": "1", "key": "", "guidance": ""},
        )
    )
    response = staff_client.post(reverse("cases:staff_round_create"), data)
    assert response.status_code == 302
    round_ = Round.objects.get(year=2028)
    assert round_.criteria[0]["guidance"] == "看首创和突破"
    assert "guidance" not in round_.criteria[1]
    page = staff_client.get(reverse("cases:staff_round_edit", args=[round_.pk])).content.decode()
    assert "看首创和突破</textarea>" in page and "评分说明" in page


def test_the_settings_only_the_admin_had(staff_client, db):
    data = round_post(
        normalize="zscore",
        precision="3",
        publicity_days="7",
        objection_contact="市发改委营商环境处\n电话 021-23112311",
        document_number="沪发改营商〔2028〕1号",
        red_header="on",
    )
    assert staff_client.post(reverse("cases:staff_round_create"), data).status_code == 302
    round_ = Round.objects.get(year=2028)
    assert (round_.normalize, round_.precision, round_.publicity_days) == ("zscore", 3, 7)
    assert round_.red_header and round_.document_number == "沪发改营商〔2028〕1号"
    assert "021-23112311" in round_.objection_contact


def test_left_out_settings_keep_their_defaults(staff_client, db):
    assert staff_client.post(reverse("cases:staff_round_create"), round_post()).status_code == 302
    round_ = Round.objects.get(year=2028)
    assert (round_.normalize, round_.precision, round_.publicity_days) == ("none", 2, 5)
    assert round_.vote_count_mode == Round.VoteCounts.HIDDEN


@pytest.mark.parametrize(
    "overrides, message",
    [
        (criteria({"label": "创新性强", "max": "0", "weight": "1", "key": ""}), "0.01"),
        (
            criteria(
                {"label": "甲", "max": "40", "weight": "1", "key": "same"},
                {"label": "乙", "max": "60", "weight": "1", "key": "same"},
            ),
            "评分标准的 key 不能重复",
        ),
        (
            rows("tiers", [{"name": "优秀案例", "size": "5"}, {"name": "优秀案例", "size": "3"}]),
            "档次名称不能重复",
        ),
        (rows("tiers", [{"name": "优秀案例", "size": "0"}]), "1"),
        ({"publicity_days": "0"}, "公示期至少 1 个工作日"),
        ({"precision": "9"}, "得分最多保留 4 位小数"),
    ],
)
def test_bad_rows_are_refused_in_chinese(staff_client, db, overrides, message):
    response = staff_client.post(reverse("cases:staff_round_create"), round_post(**overrides))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html and "请根据提示修改后再保存" in html
    assert not Round.objects.filter(year=2028).exists()


def test_a_blank_row_adds_a_criterion_and_a_tier_without_javascript(staff_client, db):
    page = staff_client.get(reverse("cases:staff_round_create")).content.decode()
    # The default three criteria and two tiers, each table with one blank row after them.
    assert 'name="criteria-3-label"' in page and 'name="tiers-2-name"' in page
    data = round_post(
        **criteria(
            {"label": "创新性强", "max": "50", "weight": "1", "key": ""},
            {"label": "", "max": "", "weight": "1", "key": ""},  # the blank row, left blank
        )
    )
    assert staff_client.post(reverse("cases:staff_round_create"), data).status_code == 302
    assert [c["label"] for c in Round.objects.get(year=2028).criteria] == ["创新性强"]
