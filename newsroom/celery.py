"""The Celery application. Its settings live in settings.py under the CELERY_ prefix."""
import os

from celery import Celery
from celery.signals import task_postrun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

app = Celery("newsroom")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_postrun.connect
def close_broken_connections(**kwargs) -> None:
    """Workers keep their database connections between tasks (`CELERY_DB_REUSE_MAX`); one that an
    error left unusable (the database restarted, the network dropped) is closed after the task
    that met the error, so the next task opens a fresh one instead of failing too."""
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        if conn.connection is not None and conn.errors_occurred and not conn.is_usable():
            conn.close()
