"""Prometheus metrics, one CollectorRegistry per app so several apps (tests) never share counters."""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST as PROMETHEUS_CONTENT_TYPE
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from extractor.core.contract import ArticleExtraction, Usage

__all__ = ["PROMETHEUS_CONTENT_TYPE", "Metrics"]

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter(
            "extractor_http_requests_total",
            "HTTP requests by route and status",
            ["method", "route", "status"],
            registry=r,
        )
        self.request_seconds = Histogram(
            "extractor_http_request_duration_seconds",
            "HTTP request latency by route",
            ["method", "route"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.extractions = Counter(
            "extractor_extractions_total",
            "articles extracted, by outcome (ok, cached, failed)",
            ["outcome"],
            registry=r,
        )
        self.extraction_seconds = Histogram(
            "extractor_extraction_duration_seconds",
            "time to extract one article with the model (cache hits excluded)",
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.tokens = Counter(
            "extractor_model_tokens_total", "model tokens spent, all attempts included", ["kind"], registry=r
        )
        self.model_calls = Counter(
            "extractor_model_calls_total", "model calls, retries and reasks included", registry=r
        )
        self.retries = Counter(
            "extractor_model_retries_total",
            "answered model calls beyond the first for one article (reasks; see meta.attempts)",
            registry=r,
        )
        self.failures = Counter(
            "extractor_failures_total", "articles that failed, by error kind", ["kind"], registry=r
        )
        self.job_requeues = Counter(
            "extractor_job_requeues_total",
            "job articles put back for later after an unavailable backend",
            registry=r,
        )
        self.workers_busy = Gauge(
            "extractor_workers_busy", "job workers processing an article now", registry=r
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        self.requests.labels(method, route, str(status)).inc()
        self.request_seconds.labels(method, route).observe(seconds)

    def observe_cached(self) -> None:
        self.extractions.labels("cached").inc()

    def observe_success(self, result: ArticleExtraction, seconds: float) -> None:
        self.extractions.labels("ok").inc()
        self.extraction_seconds.observe(seconds)
        self._spend(result.meta.usage, result.meta.attempts)

    def observe_failure(self, kind: str, usage: Usage | None, attempts: int) -> None:
        self.extractions.labels("failed").inc()
        self.failures.labels(kind).inc()
        self._spend(usage or Usage(), attempts)

    def _spend(self, usage: Usage, attempts: int) -> None:
        self.tokens.labels("prompt").inc(usage.prompt_tokens)
        self.tokens.labels("completion").inc(usage.completion_tokens)
        if attempts > 0:
            self.model_calls.inc(attempts)
            self.retries.inc(attempts - 1)
