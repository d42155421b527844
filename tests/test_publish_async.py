"""Publishing answers at once: the notice files are recorded with the publication and rendered
off the request (a thread in the embedded mode, the worker otherwise); what a dead thread left
undone, the recovery sweep renders.

The thread tests are transactional: the thread has its own database connection and sees only
what the request committed."""

import datetime
import threading

import pytest
from celery import shared_task
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Round
from core import background, recovery
from core.background import OffRequestTask
from publishing import notice_documents, publication
from publishing.models import NoticeDocument
from tests.factories import approved_round

NOTICE = {"notice_preamble": "正文。", "notice_date": datetime.date(2024, 11, 8)}


@pytest.fixture
def threads(settings):
    """The embedded mode as it runs outside tests: off-request tasks in threads."""
    settings.EMBEDDED_TASK_THREADS = True
    yield
    assert background.wait(timeout=120), "a task thread is still running"


@pytest.fixture(autouse=True)
def quiet_archive(monkeypatch):
    """The archive's refresh, also queued by publishing and also off the request, is not what
    these tests look at: it does nothing here (its own tests: tests/test_archive_load.py)."""
    from cases.archive import prepared, related

    monkeypatch.setattr(related, "refresh_related", lambda *args, **kwargs: 0)
    monkeypatch.setattr(prepared, "rebuild_stale", lambda *args, **kwargs: 0)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def ready_round():
    """A round whose public notice period is over: ready to publish."""
    round_ = approved_round()
    publication.start_publicity(round=round_, now=timezone.now() - datetime.timedelta(days=30))
    return round_


def documents(round_):
    return dict(NoticeDocument.objects.filter(round=round_).values_list("format", "status"))


class Gate:
    """Holds the rendering of every file until the test opens it."""

    def __init__(self, monkeypatch):
        self.open = threading.Event()
        self.entered = threading.Semaphore(0)
        real = notice_documents.generate

        def held(**kwargs):
            self.entered.release()
            assert self.open.wait(timeout=60), "the test never opened the gate"
            return real(**kwargs)

        monkeypatch.setattr(notice_documents, "generate", held)


@pytest.mark.django_db(transaction=True)
def test_the_publish_request_answers_before_the_files_and_they_follow(
    client, staff, ready_round, media, threads, monkeypatch
):
    gate = Gate(monkeypatch)
    client.force_login(staff)
    form = publication.draft_notice(ready_round)
    form.update(notice_date="2024-11-08", publish="1", confirmed="yes")

    response = client.post(reverse("publishing:notice", args=[ready_round.pk]), form)

    assert response.status_code == 302
    assert Round.objects.get(pk=ready_round.pk).status == Round.Status.PUBLISHED
    # The request has answered; both files are recorded, neither rendered.
    assert documents(ready_round) == {"docx": "pending", "pdf": "pending"}
    assert not any(d.file for d in NoticeDocument.objects.all())
    assert sum("generate_notice_document" in t.name for t in background.running()) == 2
    page = client.get(reverse("publishing:round", args=[ready_round.pk])).content.decode()
    assert "docx" in page and "publishing:download" not in page

    for _ in range(2):  # both threads reached the rendering, then may go on
        assert gate.entered.acquire(timeout=30)
    gate.open.set()
    assert background.wait(timeout=120)

    assert documents(ready_round) == {"docx": "done", "pdf": "done"}
    status = client.get(reverse("publishing:status", args=[ready_round.pk])).json()
    assert {d["format"]: d["ready"] for d in status["documents"]} == {"docx": True, "pdf": True}
    public = client.__class__().get(reverse("cases:round", args=[ready_round.pk]))
    assert reverse("publishing:download", args=[ready_round.pk, "pdf"]) in public.content.decode()


class Killed(BaseException):
    """What a thread meets when its process dies: nothing after it runs, not even except."""


@pytest.mark.django_db(transaction=True)
def test_a_thread_that_dies_while_rendering_leaves_the_file_to_the_recovery_sweep(
    ready_round, media, threads
):
    def dies(*args, **kwargs):
        raise Killed

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(notice_documents, "render", dies)
        publication.publish_round(round=ready_round, notice=NOTICE)
        assert background.wait(timeout=120)
    assert documents(ready_round) == {"docx": "running", "pdf": "running"}

    # Not while the task may still be running …
    assert recovery.recover_pending_work()["documents"] == 0
    # … but once it is past the time any rendering takes.
    later = timezone.now() + notice_documents.STALE_AFTER + datetime.timedelta(seconds=1)
    assert recovery.recover_pending_work(now=later)["documents"] == 2
    assert documents(ready_round) == {"docx": "done", "pdf": "done"}


@pytest.mark.django_db(transaction=True)
def test_files_whose_thread_never_started_are_rendered_by_the_sweep(
    ready_round, media, threads, monkeypatch
):
    """The process died right after the publication committed: the files are recorded."""
    monkeypatch.setattr(background, "start", lambda *args: None)
    publication.publish_round(round=ready_round, notice=NOTICE)
    assert documents(ready_round) == {"docx": "pending", "pdf": "pending"}
    later = timezone.now() + notice_documents.STALE_AFTER + datetime.timedelta(seconds=1)
    assert recovery.recover_pending_work(now=later)["documents"] == 2
    assert documents(ready_round) == {"docx": "done", "pdf": "done"}


@pytest.mark.django_db
def test_the_files_are_recorded_in_the_publications_own_transaction(
    ready_round, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        publication.publish_round(round=ready_round, notice=NOTICE)
    # Before anything queued after the commit has run, the pending rows exist.
    assert queued
    assert documents(ready_round) == {"docx": "pending", "pdf": "pending"}


@pytest.mark.django_db
def test_with_a_worker_the_task_goes_to_the_broker_not_a_thread(
    ready_round, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """``REDIS_URL`` set, Celery not eager: the existing task is sent; nothing runs here."""
    from bizenv.celery import app
    from publishing import tasks

    settings.EMBEDDED_TASK_THREADS = True
    app.conf.task_always_eager = False  # the autouse fixture restores it
    sent = []
    monkeypatch.setattr(app, "send_task", lambda name, *args, **kw: sent.append(name))
    with django_capture_on_commit_callbacks(execute=True):
        publication.publish_round(round=ready_round, notice=NOTICE)
    assert sent.count(tasks.generate_notice_document.name) == 2
    assert background.running() == []
    assert documents(ready_round) == {"docx": "pending", "pdf": "pending"}


HELD_CALLS: list[str] = []
HELD_ENTERED = threading.Semaphore(0)
HELD_GATE = threading.Event()


@shared_task(base=OffRequestTask, name="tests.test_publish_async.held_task")
def held_task(tag):
    HELD_CALLS.append(tag)
    HELD_ENTERED.release()
    assert HELD_GATE.wait(timeout=60)


def test_the_same_task_queued_while_it_runs_runs_once_more_not_beside_it(threads):
    """A burst of archive changes: one thread, which runs the refresh once more at its end."""
    HELD_CALLS.clear()
    HELD_GATE.clear()
    held_task.delay("archive")
    assert HELD_ENTERED.acquire(timeout=30)
    for _ in range(3):
        held_task.delay("archive")
    held_task.delay("other")  # other arguments: a thread of its own
    assert HELD_ENTERED.acquire(timeout=30)
    assert len(background.running()) == 2
    HELD_GATE.set()
    assert background.wait(timeout=60)
    assert sorted(HELD_CALLS) == ["archive", "archive", "other"]


def test_within_a_request_the_threads_start_once_the_response_is_sent(threads):
    HELD_CALLS.clear()
    HELD_GATE.set()
    background.request_started()
    held_task.delay("queued in a request")
    assert background.running() == [] and HELD_CALLS == []
    background.request_finished()
    assert background.wait(timeout=60)
    assert HELD_CALLS == ["queued in a request"]


@pytest.mark.django_db
def test_publishing_leaves_the_cases_search_index_alone(ready_round):
    """Publishing sets the cases' status only: their search text, unchanged, is not written
    (writing it, even unchanged, makes the index triggers rebuild every case's index rows)."""
    with CaptureQueriesContext(connection) as queries:
        publication.publish_round(round=ready_round, notice=NOTICE)
    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "cases_case" ')]
    assert len(updates) == 4
    assert not any("search_text" in sql for sql in updates)

    case = ready_round.cases.get(rank=1, tier="优秀案例")
    case.title = "新的标题"
    case.save(update_fields=["title"])
    assert "新的标题" in Case.objects.get(pk=case.pk).search_text
