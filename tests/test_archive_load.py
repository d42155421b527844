"""No anonymous request holds a worker (issue #16): related cases come from an index kept as
cases change, the whole-archive export from a prepared file, and every export is rate-limited.
The figures at 20,000 cases are in bench/bench_exports.py."""

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from cases import tasks
from cases.archive import prepared, related
from cases.models import Case, RelatedCases, Round
from cases.submission import similarity
from core import recovery
from publishing import exports
from tests import clocks
from tests.factories import published_case, published_round

NOTICE = Path(__file__).resolve().parents[1] / "cases" / "data" / "notices" / "2022.txt"


@pytest.fixture
def archive_2022(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_notice", str(NOTICE), "--year", "2022", stdout=io.StringIO())
    return Round.objects.get(year=2022)


def page_related(client, case):
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    return response.context["related"]


def live(case):
    return [other for other, _score in similarity.similar_cases(case, related.LIMIT)]


# --- related cases ----------------------------------------------------------------------------


def test_related_cases_are_what_the_live_comparison_gives(client, archive_2022):
    cases = list(Case.objects.published())
    assert len(cases) >= 20
    expected = {case.pk: live(case) for case in cases}
    assert all(expected.values())
    for case in cases:
        assert page_related(client, case) == expected[case.pk]


def test_the_case_page_compares_nothing_while_it_answers(client, archive_2022, monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("compared texts during a page view")

    monkeypatch.setattr(similarity, "similar_cases", forbidden)
    monkeypatch.setattr(similarity, "most_similar", forbidden)
    monkeypatch.setattr(similarity, "jaccard", forbidden)
    case = Case.objects.published().first()
    assert len(page_related(client, case)) == related.LIMIT


def test_the_index_follows_edits_publication_and_withdrawal(
    client, archive_2022, django_capture_on_commit_callbacks
):
    first, copy = list(Case.objects.published().order_by("pk"))[:2]
    assert page_related(client, first)[0] != copy
    with django_capture_on_commit_callbacks(execute=True):
        copy.title, copy.sections = first.title, first.sections  # now a near copy
        copy.save()
    assert page_related(client, first)[0] == copy
    assert all(page_related(client, c) == live(c) for c in Case.objects.published())

    with django_capture_on_commit_callbacks(execute=True):
        later = published_round(2023)
        newer = published_case(later, tier="优秀案例", rank=1, title=first.title)
        newer.sections = first.sections
        newer.save()
    assert newer in page_related(client, first)[:2]

    with django_capture_on_commit_callbacks(execute=True):
        later.status = Round.Status.APPROVED  # taken back: its case is no longer public
        later.save()
    assert newer not in page_related(client, first)
    assert not RelatedCases.objects.filter(case=newer).exists()


def test_at_scale_the_sketches_still_find_the_near_copy(archive_2022, monkeypatch):
    monkeypatch.setattr(related, "EXACT_UP_TO", 0)
    RelatedCases.objects.update(related=[])
    related.refresh_related()  # nothing changed: the lists stay as they are
    first, copy = list(Case.objects.published().order_by("pk"))[:2]
    copy.title, copy.sections = first.title, first.sections
    copy.save()
    assert related.refresh_related() > 0  # a full build (no list was kept)
    assert related.related_to(first)[0] == copy
    # Estimates: weakly related cases may be missed, but every case has some.
    assert all(related.related_to(c) for c in Case.objects.published())
    # One more change: only what it touches is recomputed, and the copy stays found.
    copy.sections = [*copy.sections, {"heading": "补充", "body": "新增一段文字。"}]
    copy.save()
    related.refresh_related()
    assert related.related_to(first)[0] == copy and related.related_to(copy)[0] == first


def test_the_sweep_and_the_task_build_what_a_lost_task_left(archive_2022):
    RelatedCases.objects.all().delete()
    for fmt in ("csv", "json", "xlsx"):
        prepared.path(fmt).unlink(missing_ok=True)
    done = recovery.recover_pending_work()
    assert done["related_cases"] == Case.objects.published().count()
    assert done["archive_exports"] == 3
    assert recovery.recover_pending_work()["archive_exports"] == 0
    assert tasks.refresh_related_cases() == 0


def test_one_publication_queues_the_work_once(archive_2022, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        for case in Case.objects.published()[:5]:
            case.title += "（修订）"
            case.save()
    assert len(callbacks) == 1
    with django_capture_on_commit_callbacks() as callbacks:
        Case.objects.create(round=archive_2022, title="草稿", status=Case.Status.DRAFT)
    assert callbacks == []  # a draft is not the public archive


# --- the whole-archive export ---------------------------------------------------------------------


def read_csv(response):
    data = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.fixture
def small_archive(db):
    round_ = published_round(2022)
    for rank, title in enumerate(["甲", "乙", "丙", "丁"], start=1):
        published_case(round_, tier="优秀案例", rank=rank, title=f"案例{title}")
    return round_


def export_url(fmt="csv"):
    return reverse("publishing:export_search", args=[fmt])


def test_the_whole_archive_comes_whole_from_the_prepared_file(client, small_archive, monkeypatch):
    from publishing import public_views

    monkeypatch.setattr(public_views, "MAX_EXPORT_ROWS", 2)
    response = client.get(export_url())
    assert response.streaming and "attachment" in response["Content-Disposition"]
    assert len(read_csv(response)) == 5  # every case, not the filtered export's cap
    assert prepared.path("csv").exists() and not prepared.stale("csv")
    assert prepared.path("csv").stat().st_mode & 0o777 == 0o644  # nginx may read it
    assert len(read_csv(client.get(export_url(), {"year": "2022"}))) == 3  # capped


def test_a_large_archive_is_never_written_in_the_request(client, small_archive, monkeypatch):
    queued = []
    monkeypatch.setattr(exports, "INLINE_UP_TO", 0)
    monkeypatch.setattr(exports, "enqueue", lambda task, *args: queued.append(task))
    response = client.get(export_url())
    assert response.status_code == 503 and response["Retry-After"]
    assert queued == [tasks.rebuild_archive_exports]
    assert client.get(export_url()).status_code == 503
    assert queued == [tasks.rebuild_archive_exports]  # queued once a minute, not per request
    prepared.rebuild("csv")
    published_case(small_archive, tier="良好实践", rank=1, title="新案例")  # now stale
    response = client.get(export_url())
    assert response.status_code == 200 and len(read_csv(response)) == 5  # as last built
    tasks.rebuild_archive_exports()  # what the change queued
    assert len(read_csv(client.get(export_url()))) == 6


def test_exports_are_rate_limited_per_client(client, small_archive, settings, monkeypatch):
    settings.EXPORT_RATELIMIT = "3/m"
    clocks.freeze(monkeypatch)  # the four requests fall in one minute's window
    assert client.get(export_url()).status_code == 200
    assert client.get(export_url("json"), {"year": "2022"}).status_code == 200
    url = reverse("publishing:export_round", args=[small_archive.pk, "xlsx"])
    assert client.get(url).status_code == 200
    response = client.get(url)
    assert response.status_code == 429 and response["Retry-After"]
    assert "导出过于频繁" in response.content.decode()
    other = client.get(export_url(), REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 200  # another client has its own allowance


def test_a_sketch_estimates_the_jaccard_index():
    text = NOTICE.read_text(encoding="utf-8")
    a, b = text[:4000], text[2000:6000]
    exact = similarity.similarity(a, b)
    sketch_a = similarity.sketch(similarity.shingles(a))
    sketch_b = similarity.sketch(similarity.shingles(b))
    assert 0.15 < exact < 0.6
    assert abs(similarity.estimate(sketch_a, sketch_b) - exact) < 0.1
    assert similarity.estimate(sketch_a, sketch_a) == 1.0
    other = similarity.sketch(similarity.shingles("qxzjvkwpyf"))
    assert similarity.estimate(sketch_a, other) == 0.0
    assert related.unpack(related.pack(sketch_a)).tolist() == sketch_a


def test_a_long_tier_lists_thirty_titles_around_the_case(client, db):
    round_ = published_round(2022, tiers=(("优秀案例", 40),))
    cases = [
        published_case(round_, tier="优秀案例", rank=i, title=f"第{i}个案例") for i in range(1, 41)
    ]
    response = client.get(reverse("cases:detail", args=[cases[35].pk]))
    shown = response.context["siblings"]
    assert len(shown) == 30 and shown[-1] == cases[-1] and cases[35] in shown
    assert response.context["previous"] == cases[34] and response.context["next"] == cases[36]
    assert "全部 40 个案例" in response.content.decode()
    short = client.get(reverse("cases:detail", args=[cases[0].pk]))
    assert short.context["siblings"][0] == cases[0]


def test_after_one_change_only_the_near_copy_index_is_asked(archive_2022, monkeypatch):
    """Refreshing after one change reads the candidates from the near-copy index's bands, not
    every published case's sketch (9.8 s at 20,000 cases)."""
    monkeypatch.setattr(related, "EXACT_UP_TO", 0)  # the lists as built exactly stay
    first, copy = list(Case.objects.published().order_by("pk"))[:2]
    calls = []
    real = related._indexed_lists
    monkeypatch.setattr(related, "_indexed_lists", lambda *a: calls.append(a) or real(*a))
    copy.title, copy.sections = first.title, first.sections
    copy.save()
    assert related.refresh_related() > 0
    assert calls and calls[0][1] == {copy.pk}
    assert related.related_to(first)[0] == copy and related.related_to(copy)[0] == first
    assert all(related.related_to(c) for c in Case.objects.published())
