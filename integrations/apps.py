from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations (API tokens, webhooks)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from articles.signals import history_appended
        from integrations import heartbeats, services

        # The history table is the webhooks' outbox: a new row only rings the dispatcher's
        # doorbell after commit (no domain flow in signals; the sweeper covers a lost doorbell).
        history_appended.connect(
            services.ring_webhook_doorbell, dispatch_uid="integrations.webhook_doorbell"
        )
        # Celery workers write their heartbeat from the worker_ready signal on (the module
        # connects it); imported here so that every worker has it, whatever its queues.
        assert heartbeats.start_worker_heartbeat
