"""Prometheus metrics at ``/metrics`` (issue 13, "Operable"): requests and latencies by view (django-prometheus's
middleware), and what apps register in ``COLLECTORS``: transitions, queue depths, signing lag, the task queue.

Served only with ``Authorization: Bearer <METRICS_TOKEN>``; without a token set it is not served at all (404), since
the figures say how busy each agency is. Under gunicorn with several workers set ``PROMETHEUS_MULTIPROC_DIR`` to an
empty folder (prometheus_client's multiprocess mode): counters then add up across the workers.
"""

import hmac
import os
from collections.abc import Iterable

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from portal.hooks import Hook

# Collectors read at each scrape (from the database or the broker): apps register theirs from ready().
COLLECTORS: Hook[type[Collector]] = Hook("portal.metrics.COLLECTORS")


class TaskQueueCollector(Collector):
    """The tasks waiting in the broker's default queue (Redis list ``celery``); nothing without a broker."""

    def collect(self) -> Iterable[GaugeMetricFamily]:
        gauge = GaugeMetricFamily("portal_task_queue_length", "Tasks waiting in the broker for a worker.")
        if settings.REDIS_URL:
            import redis

            client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
            try:
                gauge.add_metric([], float(client.llen("celery")))
            except redis.exceptions.RedisError:
                pass  # broker down: /readyz says so; the gauge is absent rather than a false zero
            finally:
                client.close()
        yield gauge


def _authorised(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    given = request.headers.get("Authorization", "")
    return bool(token) and hmac.compare_digest(given.encode(), f"Bearer {token}".encode())


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    if not _authorised(request):
        raise Http404
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    state = CollectorRegistry()
    collectors: list[type[Collector]] = [TaskQueueCollector, *COLLECTORS]
    for collector in collectors:
        state.register(collector())
    body = generate_latest(registry) + generate_latest(state)
    return HttpResponse(body, content_type="text/plain; version=0.0.4; charset=utf-8")
