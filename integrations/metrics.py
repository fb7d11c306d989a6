"""`/metrics` in Prometheus' text format (prometheus-client), for the callers settings allow.

Two kinds of figures:

- this process's requests, counted by `MetricsMiddleware`: `newsroom_http_requests_total` and
  the latency histogram `newsroom_http_request_duration_seconds`, labelled by method, URL route
  (the pattern, never the path: the label set stays small) and status. Each gunicorn worker
  counts its own; with PROMETHEUS_MULTIPROC_DIR set (a directory emptied at each start, see
  docs/deploying.md) every worker of the server writes there and a scrape sums them.
- the app's state, read from the database and Redis at scrape time (so every web server reports
  the same): extraction jobs by state, the age of the oldest pending job, the queue depth, claims
  pending review, verdicts recorded, webhook deliveries and notification emails by outcome, worker and scheduler
  heartbeats.

Access: `Authorization: Bearer <METRICS_TOKEN>`, or a client address in METRICS_ALLOWED_IPS
(addresses or networks). Neither configured: nobody (403).
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.conf import settings
from django.db.models import Count, Min
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

REQUESTS = Counter(
    "newsroom_http_requests",
    "HTTP requests served, by method, URL route and status.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "newsroom_http_request_duration_seconds",
    "Time to answer an HTTP request, by method and URL route.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


class MetricsMiddleware:
    """Counts every request and its latency (near the top of MIDDLEWARE, so that it sees what
    the others refuse too)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = (match.route or match.view_name) if match is not None else "unmatched"
        LATENCY.labels(request.method, route).observe(time.perf_counter() - started)
        REQUESTS.labels(request.method, route, str(response.status_code)).inc()
        return response


# --- the app's own figures ----------------------------------------------------------------------


class AppCollector(Collector):
    """Reads the app's state when scraped (a handful of aggregate queries and one Redis call)."""

    def collect(self) -> Iterator[Any]:
        from articles.models import ArticleEvent, Claim, ExtractionJob
        from integrations import heartbeats
        from integrations.models import WebhookDelivery
        from review.models import EmailMessageLog

        now = timezone.now()
        jobs = GaugeMetricFamily(
            "newsroom_extraction_jobs", "Extraction jobs by state.", labels=["state"]
        )
        counts = dict(ExtractionJob.objects.values_list("state").annotate(n=Count("id")).order_by())
        for state in ExtractionJob.State.values:
            jobs.add_metric([state], counts.get(state, 0))
        yield jobs

        oldest = ExtractionJob.objects.filter(state=ExtractionJob.State.PENDING).aggregate(
            oldest=Min("created_at")
        )["oldest"]
        yield GaugeMetricFamily(
            "newsroom_extraction_oldest_pending_seconds",
            "Age of the oldest extraction job still pending (0: none).",
            value=(now - oldest).total_seconds() if oldest else 0.0,
        )

        depth = GaugeMetricFamily(
            "newsroom_queue_depth", "Messages waiting in each Celery queue.", labels=["queue"]
        )
        for queue, length in _queue_lengths().items():
            depth.add_metric([queue], length)
        yield depth

        yield GaugeMetricFamily(
            "newsroom_claims_pending",
            "Claims awaiting a verdict on articles in review.",
            value=Claim.objects.pending().filter(article__status="in_review").count(),
        )
        verdicts = CounterMetricFamily(
            "newsroom_verdicts_recorded", "Verdicts recorded (history rows), all time."
        )
        verdicts.add_metric([], ArticleEvent.objects.filter(kind=ArticleEvent.Kind.VERDICT).count())
        yield verdicts

        webhooks = GaugeMetricFamily(
            "newsroom_webhook_deliveries", "Webhook deliveries by outcome.", labels=["status"]
        )
        by_status = dict(
            WebhookDelivery.objects.values_list("status").annotate(n=Count("id")).order_by()
        )
        for status in WebhookDelivery.Status.values:
            webhooks.add_metric([status], by_status.get(status, 0))
        yield webhooks

        emails = GaugeMetricFamily(
            "newsroom_emails",
            "Notification emails by outcome (pending: to send or to retry).",
            labels=["status"],
        )
        by_status = dict(
            EmailMessageLog.objects.values_list("status").annotate(n=Count("id")).order_by()
        )
        for status in EmailMessageLog.Status.values:
            emails.add_metric([status], by_status.get(status, 0))
        yield emails

        alive = heartbeats.liveness(now)
        workers = GaugeMetricFamily(
            "newsroom_workers", "Celery workers by heartbeat: alive or missing.", labels=["state"]
        )
        workers.add_metric(["alive"], len(alive.workers))
        workers.add_metric(["missing"], len(alive.missing_workers))
        yield workers
        schedulers = GaugeMetricFamily(
            "newsroom_schedulers", "Schedulers by heartbeat: active or standby.", labels=["state"]
        )
        schedulers.add_metric(["active"], len(alive.active_schedulers))
        schedulers.add_metric(["standby"], len(alive.standby_schedulers))
        yield schedulers
        ages = GaugeMetricFamily(
            "newsroom_heartbeat_age_seconds",
            "Seconds since each worker and scheduler last wrote its heartbeat.",
            labels=["role", "name"],
        )
        for role, name, seen_at in heartbeats.recent(now):
            ages.add_metric([role, name], (now - seen_at).total_seconds())
        yield ages


def _queue_lengths() -> dict[str, int]:
    from newsroom.celery import call_broker

    queues = ("extraction", "default")
    lengths: dict[str, int] = {}

    def read(broker: Any) -> None:
        pipe = broker.redis.pipeline()
        for queue in queues:
            pipe.llen(queue)
        lengths.update(zip(queues, pipe.execute(), strict=True))

    call_broker(read, what="reading the queue depth for /metrics")
    return lengths


# --- the view -----------------------------------------------------------------------------------


def allowed(request: HttpRequest) -> bool:
    """Deny unless the caller shows METRICS_TOKEN or comes from METRICS_ALLOWED_IPS."""
    token = settings.METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    if token and header.startswith("Bearer "):
        if hmac.compare_digest(header[7:].strip().encode(), token.encode()):
            return True
    if settings.METRICS_ALLOWED_IPS:
        try:
            address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
        except ValueError:
            return False
        for network in settings.METRICS_ALLOWED_IPS:
            if address in ipaddress.ip_network(network, strict=False):
                return True
    return False


def _process_registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


@never_cache
@require_safe
def metrics(request: HttpRequest) -> HttpResponse:
    if not allowed(request):
        return JsonResponse({"detail": "Metrics are not available to this caller."}, status=403)
    app = CollectorRegistry()
    app.register(AppCollector())
    body = generate_latest(_process_registry()) + generate_latest(app)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
