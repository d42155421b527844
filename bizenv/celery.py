import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bizenv.settings")

app = Celery("bizenv")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
