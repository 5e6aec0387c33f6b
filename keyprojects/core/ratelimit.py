"""Fixed-window counters in Django's cache, for limits on failed attempts and write rates.

``blocked(key, limit=, window=)`` answers the seconds to wait (the ``Retry-After``) when ``key``
has reached ``limit`` hits in the current window of ``window`` seconds, else None; ``hit(key,
window=)`` counts one more. A window starts at a multiple of ``window`` (epoch seconds), so a
counter lives at most ``window`` seconds and needs no cleaning.

The cache is ``settings.KEYPROJECTS_RATELIMIT_CACHE`` (default ``"default"``). With the
in-process cache (the default) each worker process counts on its own, so the effective limit is
at most the number of workers times ``limit``; a cache shared by the workers (``CACHE_DIR`` in
production settings) makes it exact.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import BaseCache, caches


def _clock() -> float:
    return time.time()


def _cache() -> BaseCache:
    return caches[getattr(settings, "KEYPROJECTS_RATELIMIT_CACHE", "default")]


def _slot(key: str, window: int, now: float) -> tuple[str, int]:
    start = int(now // window) * window
    return f"ratelimit:{key}:{window}:{start}", start + window


def blocked(key: str, *, limit: int, window: int) -> int | None:
    """Seconds until the window of ``key`` ends if it already has ``limit`` hits, else None."""
    now = _clock()
    name, end = _slot(key, window, now)
    if int(_cache().get(name, 0)) < limit:
        return None
    return max(1, int(end - now + 0.999))


def hit(key: str, *, window: int) -> int:
    """Count one hit of ``key`` in the current window; answers the count so far."""
    name, _end = _slot(key, window, _clock())
    cache = _cache()
    cache.add(name, 0, timeout=window + 1)
    try:
        return int(cache.incr(name))
    except ValueError:  # expired between add and incr
        cache.set(name, 1, timeout=window + 1)
        return 1
