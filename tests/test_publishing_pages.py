"""Staff pages of publishing and the public notice-period pages, through the test client."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Round
from publishing import publication
from publishing.models import NoticeDocument, Objection
from tests.factories import approved_round

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_():
    return approved_round()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def staff_pages(pk):
    return [
        ("get", reverse("publishing:rounds")),
        ("get", reverse("publishing:round", args=[pk])),
        ("get", reverse("publishing:notice", args=[pk])),
        ("get", reverse("publishing:status", args=[pk])),
        ("post", reverse("publishing:start_publicity", args=[pk])),
        ("post", reverse("publishing:unpublish", args=[pk])),
        ("post", reverse("publishing:generate", args=[pk])),
    ]


@pytest.mark.parametrize(
    "who, expected",
    [("anonymous", 302), ("officer_a", 403), ("expert", 403), ("staff", {200, 302})],
)
def test_permission_matrix_for_staff_pages(client, request, round_, who, expected):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    for method, url in staff_pages(round_.pk):
        response = getattr(client, method)(url)
        if who == "anonymous":
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("login")), url
        elif isinstance(expected, set):
            assert response.status_code in expected, url
        else:
            assert response.status_code == expected, url


@pytest.mark.parametrize("who", ["anonymous", "officer_a", "expert"])
def test_only_staff_may_answer_objections(client, request, round_, who):
    publication.start_publicity(round=round_)
    case = publication.listed_cases(round_).first()
    objection = Objection.objects.create(
        round=round_, case=case, name="a", contact="b", grounds="c"
    )
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    response = client.post(
        reverse("publishing:answer", args=[objection.pk]), {"action": "dismiss", "reason": "x"}
    )
    assert response.status_code == (302 if who == "anonymous" else 403)
    assert Objection.objects.get().is_open


def test_staff_run_the_whole_publication_through_the_pages(client, staff, round_, media):
    client.force_login(staff)
    client.post(reverse("publishing:start_publicity", args=[round_.pk]), {"confirmed": "yes"})
    round_.refresh_from_db()
    assert round_.status == Round.Status.PUBLICITY

    # The public sees the draft list and files an objection.
    public = client.__class__()
    page = public.get(reverse("publishing:publicity", args=[round_.pk])).content.decode()
    assert "智能退税" in page and "未获奖案例" not in page
    case = round_.cases.get(title="智能退税")
    response = public.post(
        reverse("publishing:object", args=[round_.pk]),
        {"case": case.pk, "name": "王五", "contact": "13900000000", "grounds": "数据有误"},
    )
    assert response.status_code == 302
    objection = Objection.objects.get()

    # Publishing is refused while the objection is open and the period runs.
    html = client.get(reverse("publishing:notice", args=[round_.pk])).content.decode()
    assert "尚有 1 件异议未处理" in html and "公示期尚未结束" in html
    assert "引领性强、感受度高、可复制推广" in html  # the prefilled preamble

    client.post(
        reverse("publishing:answer", args=[objection.pk]),
        {"action": "dismiss", "reason": "经核实，数据准确"},
    )
    assert Objection.objects.get().status == "dismissed"

    Round.objects.filter(pk=round_.pk).update(
        publicity_ends=timezone.now() - datetime.timedelta(minutes=1)
    )
    draft = publication.draft_notice(round_)
    draft["notice_date"] = "2024-11-08"
    draft["publish"] = "1"
    draft["confirmed"] = "yes"
    with_capture = client.post(reverse("publishing:notice", args=[round_.pk]), draft)
    assert with_capture.status_code == 302
    round_.refresh_from_db()
    assert round_.status == Round.Status.PUBLISHED
    assert Case.objects.published().count() == 4


def test_publishing_generates_the_documents_after_commit(
    client, staff, round_, media, django_capture_on_commit_callbacks
):
    publication.start_publicity(round=round_, now=timezone.now() - datetime.timedelta(days=30))
    client.force_login(staff)
    draft = publication.draft_notice(round_)
    draft.update(notice_date="2024-11-08", publish="1", confirmed="yes")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("publishing:notice", args=[round_.pk]), draft)
    assert set(NoticeDocument.objects.values_list("format", "status")) == {
        ("docx", "done"),
        ("pdf", "done"),
    }
    status = client.get(reverse("publishing:status", args=[round_.pk])).json()
    assert {d["format"]: d["progress"] for d in status["documents"]} == {"docx": 100, "pdf": 100}
    # The public downloads them from the round's page.
    public = client.__class__()
    html = public.get(round_.get_absolute_url()).content.decode()
    url = reverse("publishing:download", args=[round_.pk, "docx"])
    assert url in html
    response = public.get(url)
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content)[:2] == b"PK"


def test_downloads_of_unpublished_rounds_do_not_exist(client, round_, media):
    NoticeDocument.objects.create(round=round_, format="pdf", status="done", file="x.pdf")
    assert client.get(reverse("publishing:download", args=[round_.pk, "pdf"])).status_code == 404
    assert client.get(reverse("publishing:download", args=[round_.pk, "exe"])).status_code == 404


def test_objections_are_rate_limited_per_address(client, round_):
    publication.start_publicity(round=round_)
    case = round_.cases.get(title="智能退税")
    url = reverse("publishing:object", args=[round_.pk])
    data = {"case": case.pk, "name": "甲", "contact": "13800138000", "grounds": "理由"}
    codes = [client.post(url, data, REMOTE_ADDR="10.1.1.1").status_code for _ in range(6)]
    assert codes == [302] * 5 + [429]
    assert "提交过于频繁" in client.post(url, data, REMOTE_ADDR="10.1.1.1").content.decode()
    assert client.post(url, data, REMOTE_ADDR="10.1.1.2").status_code == 302
    assert Objection.objects.count() == 6


def test_objection_form_only_offers_listed_cases(client, round_):
    publication.start_publicity(round=round_)
    html = client.get(reverse("publishing:object", args=[round_.pk])).content.decode()
    assert "智能退税" in html and "未获奖案例" not in html and "已撤回案例" not in html
    other = round_.cases.get(title="未获奖案例")
    response = client.post(
        reverse("publishing:object", args=[round_.pk]),
        {"case": other.pk, "name": "甲", "contact": "1", "grounds": "x"},
    )
    assert response.status_code == 200 and not Objection.objects.exists()


def test_publicity_pages_exist_only_during_publicity(client, round_):
    assert client.get(reverse("publishing:publicity", args=[round_.pk])).status_code == 404
    publication.start_publicity(round=round_)
    assert client.get(reverse("publishing:publicity", args=[round_.pk])).status_code == 200
    assert "正在公示" in client.get("/").content.decode()


def test_unpublish_through_the_page_needs_a_reason(client, staff, round_):
    publication.start_publicity(round=round_, now=timezone.now() - datetime.timedelta(days=30))
    publication.publish_round(round=round_, notice={"notice_preamble": "正文"})
    client.force_login(staff)
    client.post(
        reverse("publishing:unpublish", args=[round_.pk]), {"reason": "", "to": "publicity"}
    )
    assert Round.objects.get(pk=round_.pk).status == Round.Status.PUBLISHED
    client.post(
        reverse("publishing:unpublish", args=[round_.pk]), {"reason": "名单有误", "to": "approved"}
    )
    assert Round.objects.get(pk=round_.pk).status == Round.Status.APPROVED


def test_publicity_page_states_the_period_in_working_days(client, round_):
    start = timezone.make_aware(datetime.datetime(2024, 10, 9, 15, 30))
    publication.start_publicity(round=round_, now=start)
    Round.objects.filter(pk=round_.pk).update(
        publicity_ends=timezone.now() + datetime.timedelta(days=3)
    )
    round_.refresh_from_db()
    html = client.get(reverse("publishing:publicity", args=[round_.pk])).content.decode()
    assert "2024年10月9日 至" in html and "5 个工作日" in html
    round_.publicity_ends = timezone.make_aware(datetime.datetime(2024, 10, 16))
    assert publication.last_day(round_) == datetime.date(2024, 10, 15)


def test_demo_step_generates_the_notice_files_once(media):
    from publishing.demo import ensure_notice_documents
    from tests.factories import published_case, published_round

    round_ = published_round(2022, notice_preamble="正文")
    published_case(round_, tier="优秀案例", rank=1, title="案例", district="嘉定区")
    assert ensure_notice_documents() == "已生成通知文件：2022.docx、2022.pdf"
    assert ensure_notice_documents() == "通知文件已存在"
