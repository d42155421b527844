"""The recovery sweep is a registry the apps fill; its schedule is declared by core, not the
project package."""

from bizenv.celery import app
from core import recovery


def test_each_app_registers_its_recovery_step_in_app_order():
    # cases, reviews, publishing: their order in INSTALLED_APPS is the order of the sweep.
    assert list(recovery._steps) == [
        "notifications",
        "related_cases",
        "archive_exports",
        "vote_snapshots",
        "captchas",
        "vote_flags",
        "documents",
        "personal_data",
    ]


def test_the_sweep_reports_each_step_in_one_chinese_line():
    assert recovery.describe({"notifications": 2, "documents": 0}) == (
        "补发通知 2 封，重新生成通知文件 0 个"
    )


def test_beat_runs_the_sweep_every_five_minutes():
    entry = app.conf.beat_schedule["recover-pending-work"]
    assert entry["task"] == "core.recover_pending_work"
    assert entry["schedule"] == 300.0
    assert "core.recover_pending_work" in app.tasks
