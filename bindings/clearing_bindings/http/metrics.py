"""Prometheus metrics of the HTTP service: requests, latencies, clears and traded volume.

Each app has its own registry (two apps in one process, as in the tests, do not collide).
"""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

__all__ = ["CONTENT_TYPE_LATEST", "Metrics"]

_BUCKETS = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0)


_CLEARING = frozenset({"auction", "assign", "transport", "clear", "book.limit", "book.market"})


def _volume(op: str, result: dict[str, Any]) -> float:
    """Units traded by one successful operation."""
    if op == "auction":
        return float(result["volume"])
    if op == "assign":
        return float(len(result["request_index"]))
    if op == "transport":
        return float(sum(result["served"]))
    if op == "clear":
        return float(sum(v for v in result["markets"].get("volume", []) if v is not None))
    if op in ("book.limit", "book.market"):
        return float(result["filled"])
    return 0.0


class Metrics:
    """Counters and histograms of one app."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "clearing_http_requests",
            "HTTP requests answered, by operation and status code",
            ["op", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "clearing_http_request_seconds",
            "Time from the request's arrival to its response, by operation",
            ["op"],
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.clears = Counter(
            "clearing_clears",
            "Successful clearing operations (auctions, assignments, clears, book events)",
            ["op"],
            registry=self.registry,
        )
        self.volume = Counter(
            "clearing_volume", "Units traded, by operation", ["op"], registry=self.registry
        )

    def observe(self, op: str, status: int, seconds: float, result: Any = None) -> None:
        """Count one answered request (and, on success, its clear and its volume)."""
        self.requests.labels(op, str(status)).inc()
        self.latency.labels(op).observe(seconds)
        if result is not None and op in _CLEARING:
            self.clears.labels(op).inc()
            self.volume.labels(op).inc(_volume(op, result))

    def text(self) -> bytes:
        """The Prometheus text exposition of every metric."""
        return generate_latest(self.registry)
