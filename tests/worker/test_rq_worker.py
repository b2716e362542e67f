"""HandoffWorker against a real Redis: its heartbeat (one round trip, repeats skipped)
and its connection, which waits through a Redis outage for a bounded time."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from rq import Queue
from rq.defaults import DEFAULT_WORKER_TTL

from tests.conftest import ROOT
from tests.e2e.redis_server import RedisServer
from worker.cli.processes import free_port
from worker.rq_worker import HEARTBEAT_EVERY, HandoffWorker, RideOutOutage

DEFAULT_LIFETIME = DEFAULT_WORKER_TTL + 60  # rq's default worker lifetime, plus its margin


def make_worker(connection: redis.Redis) -> HandoffWorker:
    worker = HandoffWorker([Queue("beats", connection=connection)], connection=connection)
    worker.register_birth()
    connection.hdel(worker.key, "last_heartbeat")
    # The executions key exists while the worker runs a job; a beat extends it too.
    connection.zadd(worker.executions_key, {"job-1": 1})
    return worker


def beat_seen(connection: redis.Redis, worker: HandoffWorker) -> bool:
    """Whether a beat reached Redis since the last call (and forget it)."""
    return bool(connection.hdel(worker.key, "last_heartbeat"))


def test_a_beat_writes_the_timestamp_and_both_lifetimes(redis_conn: redis.Redis) -> None:
    worker = make_worker(redis_conn)
    worker.heartbeat()
    assert redis_conn.hget(worker.key, "last_heartbeat")
    assert DEFAULT_LIFETIME - 5 <= redis_conn.ttl(worker.key) <= DEFAULT_LIFETIME
    assert DEFAULT_LIFETIME - 5 <= redis_conn.ttl(worker.executions_key) <= DEFAULT_LIFETIME


def test_a_repeat_that_would_not_move_the_expiry_is_skipped(redis_conn: redis.Redis) -> None:
    worker = make_worker(redis_conn)
    worker.heartbeat()
    assert beat_seen(redis_conn, worker)
    worker.heartbeat()
    worker.heartbeat()
    assert not beat_seen(redis_conn, worker)
    assert redis_conn.ttl(worker.key) > DEFAULT_LIFETIME - 5


def test_a_beat_after_the_interval_is_sent(redis_conn: redis.Redis) -> None:
    worker = make_worker(redis_conn)
    worker.heartbeat()
    beat_seen(redis_conn, worker)
    assert worker._expires_at is not None
    worker._expires_at -= HEARTBEAT_EVERY + timedelta(milliseconds=1)
    worker.heartbeat()
    assert beat_seen(redis_conn, worker)


def test_a_longer_lifetime_is_sent_and_a_shorter_one_does_not_cut_it(
    redis_conn: redis.Redis,
) -> None:
    worker = make_worker(redis_conn)
    worker.heartbeat()
    worker.heartbeat(timeout=2000)
    assert beat_seen(redis_conn, worker)
    assert redis_conn.ttl(worker.key) > 1990
    worker.heartbeat(timeout=70)
    assert not beat_seen(redis_conn, worker)
    assert redis_conn.ttl(worker.key) > 1990


def test_after_a_short_lifetime_the_default_is_restored(redis_conn: redis.Redis) -> None:
    """rq beats with min(job timeout, monitoring interval) + 60 s while a job runs; the
    idle worker's key must get the full lifetime back, or it could expire mid-wait."""
    worker = make_worker(redis_conn)
    worker.heartbeat(timeout=70)
    assert redis_conn.ttl(worker.key) <= 70
    worker.heartbeat()
    assert beat_seen(redis_conn, worker)
    assert redis_conn.ttl(worker.key) > DEFAULT_LIFETIME - 5


def test_a_beat_inside_rqs_pipeline_is_always_added(redis_conn: redis.Redis) -> None:
    worker = make_worker(redis_conn)
    worker.heartbeat()
    beat_seen(redis_conn, worker)
    with redis_conn.pipeline() as pipe:
        worker.heartbeat(pipeline=pipe)
        assert not beat_seen(redis_conn, worker)  # queued, not yet sent
        pipe.execute()
    assert beat_seen(redis_conn, worker)


def test_a_call_during_an_outage_waits_for_redis_and_succeeds(tmp_path: Path) -> None:
    server = RedisServer(free_port(), tmp_path)
    server.start()
    connection = redis.Redis.from_url(server.url)
    worker = HandoffWorker([Queue("outage", connection=connection)], connection=connection)
    connection.set("before", "1")
    server.stop()
    # Redis comes back while the call below is already waiting for it.
    restart = threading.Timer(3.0, server.start)
    restart.start()
    try:
        assert worker.connection.get("before") == b"1"  # kept in the append-only file
    finally:
        restart.join()
        server.stop()


def test_an_outage_longer_than_the_budget_raises() -> None:
    connection = redis.Redis(host="127.0.0.1", port=free_port())
    connection.set_retry(RideOutOutage(budget=1.0, cap=0.2))
    with pytest.raises(redis.ConnectionError):
        connection.ping()


EARLY_SIGNAL = """
import os, signal, sys
import redis
from rq import Queue
from worker.rq_worker import HandoffWorker

connection = redis.Redis.from_url(sys.argv[1])
worker = HandoffWorker([Queue("early", connection=connection)], connection=connection)
# The signal lands where rq starts its scheduler: after registering, before its handlers.
worker._start_scheduler = lambda *args: os.kill(os.getpid(), signal.SIGTERM)
print("worked", worker.work(with_scheduler=True))
print("registered", bool(connection.sismember("rq:workers", worker.key)))
"""


def test_a_sigterm_before_rqs_handlers_are_in_stops_the_worker_cleanly(
    redis_conn: redis.Redis, redis_url: str
) -> None:
    done = subprocess.run([sys.executable, "-c", EARLY_SIGNAL, redis_url], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    said = [line for line in done.stdout.splitlines() if line.startswith(("worked", "regis"))]
    assert said == ["worked False", "registered False"]
    assert "stopping on request" in done.stdout + done.stderr
