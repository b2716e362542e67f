"""An optional per-platform rate limit for the sandbox's API routes, like a helpdesk plan's.

Off until set. ``POST /sandbox/rate-limits {"platform", "calls", "per_seconds"}`` makes
that platform's API answer 429 with ``Retry-After`` to any call beyond `calls` in a
fixed window of `per_seconds` (windows start at multiples of `per_seconds` since the
epoch, as a helpdesk's per-minute counter does). ``GET /sandbox/rate-limits`` gives the
limits, the 429s answered, and the time of every API call since the last
``DELETE /sandbox/rate-limits`` (for call-rate histograms); DELETE lifts every limit.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request

EXTENSION = "handoff_sandbox_limits"
blueprint = Blueprint("sandbox_limits", __name__, url_prefix="/sandbox/rate-limits")


@dataclass
class Limits:
    """Limits, window counters, 429 counts and call times per platform (thread-safe)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    limits: dict[str, tuple[int, float]] = field(default_factory=dict)
    windows: dict[str, tuple[int, int]] = field(default_factory=dict)  # window no, calls
    rejected: dict[str, int] = field(default_factory=dict)
    call_times: dict[str, list[float]] = field(default_factory=dict)

    def admit(self, platform: str, at: float) -> float | None:
        """Record a call; None when it is within the limit, else seconds to retry after."""
        with self.lock:
            self.call_times.setdefault(platform, []).append(at)
            limit = self.limits.get(platform)
            if limit is None:
                return None
            calls, per = limit
            window = math.floor(at / per)
            number, used = self.windows.get(platform, (window, 0))
            if number != window:
                used = 0
            if used >= calls:
                self.rejected[platform] = self.rejected.get(platform, 0) + 1
                return (window + 1) * per - at
            self.windows[platform] = (window, used + 1)
            return None


def limits() -> Limits:
    """The current app's limits (created on first use)."""
    found: Limits = current_app.extensions.setdefault(EXTENSION, Limits())
    return found


def check(platform: str) -> tuple[Response, int] | None:
    """The 429 answer when `platform`'s limit is used up, else None (the call is counted)."""
    wait = limits().admit(platform, time.time())
    if wait is None:
        return None
    answer = jsonify({"error": "TooManyRequests", "description": "sandbox rate limit"})
    answer.headers["Retry-After"] = str(max(1, math.ceil(wait)))
    return answer, 429


@blueprint.post("")
def set_limit() -> Any:
    """Set one platform's limit; 400 on a bad body."""
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        return jsonify({"error": "body: must be {platform, calls, per_seconds}"}), 400
    platform, calls, per = data.get("platform"), data.get("calls"), data.get("per_seconds")
    if not isinstance(platform, str) or not isinstance(calls, int) or calls < 1 \
            or not isinstance(per, int | float) or per <= 0:
        return jsonify({"error": "calls: a positive integer; per_seconds: a positive "
                                 "number; platform: a name"}), 400
    with limits().lock:
        limits().limits[platform] = (calls, float(per))
    return jsonify({"platform": platform, "calls": calls, "per_seconds": per}), 201


@blueprint.get("")
def get_limits() -> Any:
    """Limits, 429s answered and API call times per platform."""
    state = limits()
    with state.lock:
        return jsonify({
            "limits": {p: {"calls": c, "per_seconds": s} for p, (c, s) in state.limits.items()},
            "rejected": dict(state.rejected),
            "call_times": {p: list(t) for p, t in state.call_times.items()},
        })


@blueprint.delete("")
def clear_limits() -> Any:
    """Lift every limit and forget the counts and call times."""
    state = limits()
    with state.lock:
        state.limits.clear()
        state.windows.clear()
        state.rejected.clear()
        state.call_times.clear()
    return jsonify({"cleared": True})
