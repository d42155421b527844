from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cases"
    verbose_name = _("案例")

    def ready(self):
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from cases import notifications
        from cases.adoption import signals as adoption_signals
        from cases.archive import prepared, related, signals
        from cases.archive.search import register_sqlite_functions
        from cases.submission import neardup
        from core import recovery

        connection_created.connect(register_sqlite_functions)
        post_migrate.connect(_ensure_search_index, sender=self)
        adoption_signals.connect()
        signals.connect()  # the archive's background work, queued when it changes
        neardup.connect()  # the near-copy index, kept in the saving transaction
        recovery.register(
            "notifications", notifications.send_pending_notices, report="补发通知 {} 封"
        )
        recovery.register("related_cases", related.refresh_related, report="更新相关案例 {} 个")
        recovery.register(
            "archive_exports", prepared.rebuild_stale, report="重新生成档案导出文件 {} 个"
        )


def _ensure_search_index(sender, using, **kwargs):
    from django.db import connections

    from cases.archive.search import ensure_sqlite_index

    ensure_sqlite_index(connections[using])
