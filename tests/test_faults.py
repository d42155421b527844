"""Faults: a broker that stops, a worker killed mid-task. Nothing recorded is lost.

Work is recorded in the database before it is queued (a CaseTransition, a NoticeDocument);
the recovery sweep (`recover_pending_work`) does what a lost task left undone, once.
"""

import datetime
import io
import os
import shutil
import signal
import socket
import subprocess
import time
from contextlib import contextmanager

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from bizenv.celery import app
from cases import notifications, workflow
from cases.models import Case, CaseTransition, Notification, Round
from core.recovery import recover_pending_work
from publishing.models import NoticeDocument
from publishing.tasks import request_documents

LATER = datetime.timedelta(minutes=10)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def private_redis():
    """A Redis server of this test's own, so that stopping it disturbs nobody else."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is installed by `make services` (the PostgreSQL + Redis job)")
    port = free_port()
    server = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(50):
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    yield {"url": f"redis://127.0.0.1:{port}/0", "process": server}
    server.terminate()
    server.wait(timeout=10)


@contextmanager
def celery_broker(url):
    """Point the Celery app at ``url`` with real (not eager) sending, then restore it.

    Celery caches its connection and producer pools on first use; they are dropped so that
    the new URL is used, and dropped again on the way out.
    """
    saved = {k: app.conf[k] for k in ("broker_url", "task_always_eager", "task_publish_retry")}
    app.conf.update(broker_url=url, task_always_eager=False, task_publish_retry=False)
    app._pool, app.amqp._producer_pool = None, None
    try:
        yield
    finally:
        app.conf.update(saved)
        app._pool, app.amqp._producer_pool = None, None


@pytest.fixture
def submitted_cases(db, officer_a, district_a):
    officer_a.email = "officer_a@example.cn"
    officer_a.save()
    round_ = Round.objects.create(year=2027, title="2027 年度", status=Round.Status.SUBMISSION)
    return [
        Case.objects.create(
            round=round_,
            district=district_a,
            title=f"案例{i}",
            status=Case.Status.SUBMITTED,
            created_by=officer_a,
        )
        for i in range(3)
    ]


def test_redis_stopping_during_a_notification_burst_loses_no_notification(
    private_redis, submitted_cases, staff, client
):
    first, second, third = submitted_cases
    with celery_broker(private_redis["url"]):
        # Redis is up: the first notice is queued (no worker runs here, so it waits there).
        workflow.return_for_revision(case=first, user=staff, reason="请补充数据")
        private_redis["process"].terminate()
        private_redis["process"].wait(timeout=10)
        # Redis is down: the staff member's actions still succeed, through the page too.
        workflow.accept(case=second, user=staff)
        client.force_login(staff)
        response = client.post(
            reverse("cases:staff_case_action", args=[third.pk, "reject"]),
            {"reason": "不符合申报条件", "confirmed": "yes"},
        )
        assert response.status_code == 302
    third.refresh_from_db()
    assert third.status == Case.Status.REJECTED
    assert mail.outbox == [] and not Notification.objects.exists()

    # The sweep sends every notice once: the queued one is lost with Redis's memory.
    sent = notifications.send_pending_transition_notices(now=timezone.now() + LATER)
    assert sent == 3
    assert sorted(m.subject for m in mail.outbox) == sorted(
        [
            f"【案例评选】案例“{c.title}”{w}"
            for c, w in ((first, "已退回修改"), (second, "已受理"), (third, "未予受理"))
        ]
    )
    # Running it again, or the lost task turning up after all, sends nothing more.
    assert notifications.send_pending_transition_notices(now=timezone.now() + LATER) == 0
    transition = first.transitions.get(to_status=Case.Status.RETURNED)
    assert notifications.send_transition_notice(transition.pk) is False
    assert len(mail.outbox) == 3


def test_the_sweep_leaves_fresh_transitions_to_their_queued_task(submitted_cases, staff):
    with celery_broker("redis://127.0.0.1:1/0"):  # nothing listens on port 1
        workflow.accept(case=submitted_cases[0], user=staff)
    assert notifications.send_pending_transition_notices() == 0
    assert notifications.send_pending_transition_notices(now=timezone.now() + LATER) == 1


def test_the_recovery_command_reports_what_it_did(submitted_cases, staff):
    with celery_broker("redis://127.0.0.1:1/0"):
        workflow.accept(case=submitted_cases[0], user=staff)
    # The transition is recorded; make it older than the sweep's grace period.
    CaseTransition.objects.update(at=timezone.now() - LATER)
    out = io.StringIO()
    call_command("recover_pending_work", stdout=out)
    assert "补发通知 1 封" in out.getvalue()
    assert len(mail.outbox) == 1


def test_a_failing_step_does_not_stop_the_others_and_the_command_says_so(
    submitted_cases, staff, monkeypatch
):
    from core import recovery

    with celery_broker("redis://127.0.0.1:1/0"):
        workflow.accept(case=submitted_cases[0], user=staff)
    CaseTransition.objects.update(at=timezone.now() - LATER)

    def broken(now=None):
        raise ConnectionError("smtp refused")

    # Registered first, so the notifications step runs after it.
    monkeypatch.setattr(recovery, "_steps", {"broken": (broken, "坏步骤 {} 个"), **recovery._steps})
    out = io.StringIO()
    with pytest.raises(CommandError, match="部分补做步骤出错"):
        call_command("recover_pending_work", stdout=out)
    assert "坏步骤出错（详见日志）" in out.getvalue() and "补发通知 1 封" in out.getvalue()
    assert len(mail.outbox) == 1


@pytest.mark.worker
def test_a_worker_killed_during_notice_generation_loses_no_document(celery_worker_process):
    call_command("import_notice", "cases/data/notices/2022.txt", stdout=io.StringIO())
    round_ = Round.objects.get(year=2022)
    [document] = request_documents(round=round_, formats=("pdf",))
    # The worker takes the task; kill it while it renders (the PDF takes a few seconds).
    deadline = time.time() + 60
    while time.time() < deadline:
        document.refresh_from_db()
        if document.status == NoticeDocument.Status.RUNNING:
            break
        time.sleep(0.05)
    assert document.status == NoticeDocument.Status.RUNNING
    os.kill(celery_worker_process["process"].pid, signal.SIGKILL)
    celery_worker_process["process"].wait(timeout=10)
    document.refresh_from_db()
    assert document.status == NoticeDocument.Status.RUNNING and not document.file

    result = recover_pending_work(now=timezone.now() + LATER)
    assert result["documents"] == 1
    document.refresh_from_db()
    assert document.status == NoticeDocument.Status.DONE
    with document.file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    # A second sweep, or the task redelivered, does not render it again.
    assert recover_pending_work(now=timezone.now() + LATER)["documents"] == 0
