from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reviews"
    verbose_name = _("评选")

    def ready(self):
        # Connects the receivers that refuse deleting a sealed sheet, by any path.
        from core import deployment, recovery

        from . import sealing  # noqa: F401
        from .vote import captcha, scan, sms, snapshots

        # A daily vote count is due at its time even when nobody reads the page (celery beat).
        recovery.register(
            "vote_snapshots", snapshots.take_due_snapshots, report="定时公布票数快照 {} 个"
        )
        deployment.register(sms.production_problems)
        recovery.register("captchas", captcha.sweep_expired, report="清除过期图形验证码 {} 个")
        # Every five minutes under celery beat: each open vote's buckets folded and its flags
        # scanned (the embedded mode scans when the monitor page finds the last scan old).
        recovery.register("vote_flags", scan.scan_voting_rounds, report="投票异常检测 {} 轮")
