from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("基础设施")

    def ready(self):
        from celery import current_app

        from . import background, converters, deployment, recovery, spreadsheet  # noqa: F401

        # deployment: its check --deploy check registers on import.
        converters.register()  # <id:pk> in every URLconf, imported after this
        background.connect()  # off-request tasks start after the response (embedded mode)
        # Every admin export (django-import-export writes through tablib) with safe cells.
        spreadsheet.register_tablib_formats()

        # Under `celery beat` (make worker runs one): the sweep that does what a lost task
        # left undone. Declared here, beside the task, rather than in the project's settings.
        current_app.conf.beat_schedule.setdefault(
            "recover-pending-work",
            {"task": recovery.recover_pending_work.name, "schedule": recovery.SWEEP_INTERVAL},
        )
