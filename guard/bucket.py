"""A token bucket: `rate` a second after a burst of `burst`. One per websocket in guard/stream.py
(reruns, messages), and in store.py one per network and per student for join codes that name no
class; safe across threads."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class TokenBucket:
    def __init__(self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic):
        self.rate, self.burst, self.clock = rate, burst, clock
        self.tokens, self.at = float(burst), clock()
        self.lock = threading.Lock()

    def take(self) -> bool:
        """Spend a token if there is one."""
        with self.lock:
            self._refill()
            if self.tokens < 1:
                return False
            self.tokens -= 1
            return True

    def wait(self) -> float:
        """Seconds until a token is there (0: now)."""
        with self.lock:
            self._refill()
            return max(0.0, (1 - self.tokens) / self.rate)

    def _refill(self) -> None:
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
