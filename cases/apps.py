from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cases"
    verbose_name = _("案例")

    def ready(self):
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from core import recovery

        from . import notifications
        from .search import register_sqlite_functions

        connection_created.connect(register_sqlite_functions)
        post_migrate.connect(_ensure_search_index, sender=self)
        recovery.register(
            "notifications", notifications.send_pending_transition_notices, report="补发通知 {} 封"
        )


def _ensure_search_index(sender, using, **kwargs):
    from django.db import connections

    from .search import ensure_sqlite_index

    ensure_sqlite_index(connections[using])
