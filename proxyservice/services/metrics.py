"""Prometheus metrics of the web app and the workers, by prometheus-client.

Under uWSGI and in Celery's pool, many processes count: each writes its
values to files in ``PROMETHEUS_MULTIPROC_DIR`` (prometheus-client's
multiprocess mode, chosen when that variable is set before this module is
imported), and an exposition sums them. Without it, the counts are this
process's own.
"""

import logging
import os
from typing import Callable, Iterable

from prometheus_client import (CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest,
                               start_http_server)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector, mark_process_dead
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

MULTIPROCESS = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST

REQUESTS = Counter("proxyservice_http_requests_total", "HTTP requests answered, by route, method and status",
                   ["route", "method", "status"])
INGESTS = Counter("proxyservice_ingests_total",
                  "POST /ingest answers: queued, deduplicated (its proxy was there), or refused with a reason",
                  ["outcome", "reason"])
TASKS = Counter("proxyservice_tasks_total", "Tasks ended on the workers, by plugin and final state", ["plugin", "state"])
CONVERSION_SECONDS = Histogram("proxyservice_conversion_seconds", "Seconds a plugin's job ran on a worker, by plugin",
                               ["plugin"], buckets=(0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120, 300))
SANDBOX_REFUSALS = Counter("proxyservice_sandbox_refusals_total",
                           "Jobs the converter sandbox refused or could not run, by kind of refusal", ["kind"])


class QueueLength(Collector):
    """Tasks waiting in the broker, asked when scraped; no sample when the broker cannot say.

    Parameters
    ----------
    length
        Asks the broker; raises when it cannot be reached.
    """

    def __init__(self, length: Callable[[], int]) -> None:
        self.length = length

    def collect(self) -> Iterable[Metric]:
        family = GaugeMetricFamily("proxyservice_queue_length", "Tasks waiting in the broker for a worker")
        try:
            family.add_metric([], self.length())
        except Exception:  # noqa: BLE001 - a broker that is down: the scrape still answers, without this sample
            return []
        return [family]


def exposition(*collectors: Collector) -> bytes:
    """Every metric of this service's processes (summed across them in multiprocess mode), and ``collectors``."""
    return generate_latest(_registry(*collectors))


def _registry(*collectors: Collector) -> CollectorRegistry:
    registry = CollectorRegistry()
    if os.environ.get(MULTIPROCESS):
        MultiProcessCollector(registry)
    else:
        registry.register(REGISTRY)  # a registry collects like a collector
    for collector in collectors:
        registry.register(collector)
    return registry


def process_ended(pid: int) -> None:
    """Forget the gauges of a process that ended (its counters stay counted)."""
    if os.environ.get(MULTIPROCESS):
        mark_process_dead(pid)


def serve_metrics(port: int) -> None:
    """Serve this service's metrics on ``port`` of every address (prometheus-client's own server, in a thread).

    A port in use is logged, not fatal: the worker works on without it.
    """
    try:
        start_http_server(port, registry=_registry())
    except OSError as e:
        logger.warning("cannot serve metrics on port %d: %s", port, e)
        return
    logger.info("metrics on port %d", port)
