from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations (API tokens, webhooks)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from articles.signals import history_appended
        from integrations import cache, heartbeats, services

        # The history table is the webhooks' outbox: a new row only rings the dispatcher's
        # doorbell after commit (no domain flow in signals; the sweeper covers a lost doorbell).
        history_appended.connect(
            services.ring_webhook_doorbell, dispatch_uid="integrations.webhook_doorbell"
        )
        # The data version's triggers, made again after every migrate (integrations/cache.py).
        post_migrate.connect(
            cache.install_triggers, sender=self, dispatch_uid="integrations.data_version"
        )
        # Celery workers write their heartbeat from the worker_ready signal on (the module
        # connects it); imported here so that every worker has it, whatever its queues.
        assert heartbeats.start_worker_heartbeat
