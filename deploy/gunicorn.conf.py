"""gunicorn's configuration for `bin/run web` (and bin/run's demo): everything from the
environment, so one file serves every machine. docs/deploying.md lists the variables."""

from __future__ import annotations

import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
# Threads share a process's memory and its database connections are per thread: each thread
# holds one connection for CONN_MAX_AGE seconds (budget: workers × threads per web server).
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("WEB_GRACEFUL_TIMEOUT", "20"))
keepalive = 5
# Behind a reverse proxy on another machine: its address, so X-Forwarded-* are trusted.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = os.environ.get("WEB_ACCESS_LOG", "-")
errorlog = "-"
# Restart each worker after this many requests (with jitter), bounding slow leaks.
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10


def child_exit(server, worker):  # noqa: ANN001 - gunicorn's hook signature
    """With PROMETHEUS_MULTIPROC_DIR, a worker that exits stops counting in /metrics' gauges."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
