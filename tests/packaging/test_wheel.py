"""The built wheel, installed the way users install packages, run from an empty directory
with nothing set: the checkout's files are out of reach, so only what the wheel ships counts."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Built from a copy: setuptools reuses an in-tree build/ directory, whose leftovers
    # (a module since deleted) would go into the wheel.
    source = tmp_path_factory.mktemp("source") / "handoff"
    shutil.copytree(ROOT, source, symlinks=True, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "*.egg-info", ".handoff*", ".hypothesis", "__pycache__",
        ".*_cache"))
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps",
                    "--disable-pip-version-check", "-w", str(out), str(source)],
                   check=True, capture_output=True, timeout=600)
    (built,) = out.glob("helpdesk_handoff-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel installed by pip into a directory of its own (the dependencies come
    from the test's environment)."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps",
                    "--disable-pip-version-check", "--target", str(target), str(wheel)],
                   check=True, capture_output=True, timeout=600)
    return target


def run(installed: Path, cwd: Path, *args: str,
        timeout: float = 120) -> subprocess.CompletedProcess[str]:
    keep = ("PATH", "LANG", "LC_ALL", "TMPDIR")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env["PYTHONPATH"] = str(installed)
    return subprocess.run([sys.executable, "-m", "worker", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


def test_the_wheel_ships_the_demo_data_the_starter_files_and_the_markers(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {
        "infra/bundled/handoff.yaml", "infra/bundled/samples/tickets.jsonl",
        "infra/bundled/examples/policies.yaml", "worker/cli/starter/handoff.yaml",
        "worker/cli/starter/env.example", "worker/cli/starter/knowledge/example_article.md",
        *(f"{package}/py.typed" for package in ("core", "connectors", "infra", "receiver",
                                                 "worker")),
    }
    assert shipped <= names, shipped - names
    knowledge = {p.name for p in (ROOT / "config" / "knowledge").glob("*.md")}
    assert knowledge <= {Path(n).name for n in names if n.startswith("infra/bundled/knowledge/")}
    assert any(".dist-info/" in n and n.endswith("/LICENSE") for n in names)


def test_the_installed_package_is_the_wheel_not_the_checkout(installed: Path,
                                                             tmp_path: Path) -> None:
    keep = {k: v for k, v in os.environ.items() if k == "PATH"}
    found = subprocess.run(
        [sys.executable, "-c", "import worker, infra.config as c; print(worker.__file__); "
         "print(c.BUNDLED)"], cwd=tmp_path, env={**keep, "PYTHONPATH": str(installed)},
        capture_output=True, text=True, check=True).stdout.split()
    assert all(line.startswith(str(installed)) for line in found), found


def test_every_first_command_works_from_an_empty_directory(installed: Path,
                                                           tmp_path: Path) -> None:
    version = run(installed, tmp_path, "--version")
    assert version.returncode == 0
    assert version.stdout.strip() == "handoff, version 0.1.0"

    init = run(installed, tmp_path, "init", "site")
    assert init.returncode == 0, init.stderr
    assert "next steps:" in init.stdout
    assert (tmp_path / "site" / "handoff.yaml").is_file()
    checked = run(installed, tmp_path, "check-config", "--config", "site/handoff.yaml")
    assert checked.returncode == 0, checked.stderr
    assert "# ok: 1 knowledge articles" in checked.stdout

    for command in (["failed"], ["report"]):
        result = run(installed, tmp_path, *command)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stdout + result.stderr
    assert "open escalations: 0" in run(installed, tmp_path, "report").stdout


def test_the_demo_runs_from_an_empty_directory(installed: Path, tmp_path: Path) -> None:
    result = run(installed, tmp_path, "demo", timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    table = result.stdout
    for path in ("auto_resolve", "draft", "escalate"):
        assert f" {path} " in table, table
