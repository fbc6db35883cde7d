"""A per-key sliding-window rate limit, in process memory (per worker)."""

from __future__ import annotations

import threading
import time
from collections import deque

from dancu.kit.errors import TooManyRequests


class RateLimit:
    def __init__(self, per_minute: int, *, max_keys: int = 100_000) -> None:
        self.per_minute = per_minute
        self.max_keys = max_keys
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, *, at: float | None = None) -> None:
        """Count one request for ``key``; refuse it when the last minute already had enough."""
        moment = time.monotonic() if at is None else at
        with self._lock:
            if len(self._hits) > self.max_keys:
                self._hits.clear()  # bounded memory under a spray of addresses
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= moment - 60:
                hits.popleft()
            if len(hits) >= self.per_minute:
                wait = int(hits[0] + 60 - moment) + 1
                raise TooManyRequests(
                    f"at most {self.per_minute} requests a minute; try again in {wait} s",
                    retry_after=wait,
                )
            hits.append(moment)
