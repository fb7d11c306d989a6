"""Fixtures that start real processes (Redis, Celery workers) for the integration tests."""
