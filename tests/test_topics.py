"""Topics (领域) from keyword rules: imported cases find their topic; a person's choice stays."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from cases import topics
from cases.models import Case, Topic
from tests.factories import published_case, published_round

pytestmark = pytest.mark.django_db

NOTICE = Path(__file__).resolve().parents[1] / "cases" / "data" / "notices" / "2022.txt"


def import_2022():
    call_command("import_notice", str(NOTICE), "--year", "2022", stdout=io.StringIO())


def archive_titles(client, **params):
    page = client.get(reverse("cases:archive"), params).content.decode()
    return page


def test_after_import_the_topic_filter_finds_the_tax_cases(client):
    import_2022()
    tax = Topic.objects.get(name="税费服务")
    tax_cases = set(Case.objects.filter(topic=tax).values_list("title", flat=True))
    assert len(tax_cases) >= 2
    assert any("退税" in t for t in tax_cases)
    page = archive_titles(client, topic=tax.pk)
    for title in tax_cases:
        assert title in page
    # Other topics hold other cases: not everything lands in one topic.
    assert Case.objects.exclude(topic=None).exclude(topic=tax).exists()


def test_most_hits_win_and_ties_go_to_the_earlier_topic():
    first = Topic.objects.create(name="甲领域", order=90, keywords="窗口")
    second = Topic.objects.create(name="乙领域", order=91, keywords="窗口\n专窗")
    rules = topics.rules([first, second])
    assert topics.best_topic("一个窗口", rules) == first  # 1 : 1, the earlier one
    assert topics.best_topic("窗口与专窗", rules) == second  # 1 : 2 (窗口 and 专窗)
    assert topics.best_topic("没有关键词", rules) is None


def test_keywords_are_one_a_line_trimmed_full_width_folded():
    assert topics.keywords_of(" 税务 \n\n税务\nＡＰＩ\n") == ["税务", "api"]


def test_the_rules_never_overwrite_a_topic_a_person_set(staff):
    round_ = published_round(2022)
    case = published_case(round_, title="智能退税一键式", tier="优秀案例", rank=1)
    people = Topic.objects.get(name="人才就业")
    Case.objects.filter(pk=case.pk).update(topic=people, topic_confirmed=True)
    topics.apply_topic_rules()
    assert Case.objects.get(pk=case.pk).topic == people


def test_staff_edit_the_rules_on_a_page_and_the_cases_follow(client, staff):
    round_ = published_round(2022)
    case = published_case(round_, title="夜间经济服务专班", tier="优秀案例", rank=1)
    service = Topic.objects.get(name="企业服务")
    client.force_login(staff)
    page = client.get(reverse("cases:staff_topics"))
    assert page.status_code == 200 and "领域规则" in page.content.decode()
    response = client.post(
        reverse("cases:staff_topics"), {f"kw-{service.pk}": "夜间经济\n专班"}, follow=True
    )
    assert "按规则更新了" in response.content.decode()
    assert Case.objects.get(pk=case.pk).topic == service
    assert Topic.objects.get(pk=service.pk).keywords == "夜间经济\n专班"


def test_officers_and_the_public_do_not_reach_the_rules_page(client, officer_a):
    assert client.get(reverse("cases:staff_topics")).status_code == 302
    client.force_login(officer_a)
    assert client.get(reverse("cases:staff_topics")).status_code == 403
