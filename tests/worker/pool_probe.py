"""A job for tests/worker/test_worker_pool.py: what the worker process that ran it holds."""

from __future__ import annotations

import os
from typing import Any


def runtime_facts() -> dict[str, Any]:
    """This process's pid, and whether its runtime uses the scorer built before the fork."""
    from worker import runtime

    scorer = runtime.current().scorer
    return {"pid": os.getpid(), "preloaded": scorer is runtime._preloaded is not None}
