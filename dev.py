#!/usr/bin/env python3
"""Set up the project's virtualenv on first use, then run a task in it.

    python3 dev.py demo          the main job on embedded defaults
    python3 dev.py test [ARGS]   the whole test suite (ARGS go to pytest)
    python3 dev.py lint          ruff, mypy --strict and the import-layer contracts
    python3 dev.py bench         the benchmarks in bench/

Needs only Python 3.11+. Exits with the task's own exit code.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
STAMP = VENV / ".installed"


def ensure_venv() -> None:
    """Create .venv and install the project with its dev and reports extras when
    pyproject changes."""
    if sys.version_info < (3, 11):
        sys.exit(f"Handoff needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text() == wanted and PY.exists():
        return
    if not PY.exists():
        print("dev.py: creating .venv", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("dev.py: installing helpdesk-handoff and its dev tools into .venv", flush=True)
    subprocess.run(
        [str(PY), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
         "-e", f"{ROOT}[dev,reports]"],
        check=True,
    )
    STAMP.write_text(wanted)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"demo", "test", "lint", "bench"}:
        print(__doc__)
        return 2
    task, rest = argv[0], argv[1:]
    ensure_venv()
    if task == "demo":
        command = [str(BIN / "handoff"), "demo", *rest]
    elif task == "test":
        command = [str(PY), "-m", "pytest", *rest]
    elif task == "lint":
        checks = [[str(PY), "-m", "ruff", "check", "."], [str(PY), "-m", "mypy"],
                  [str(BIN / "lint-imports")]]
        return max(subprocess.call(c, cwd=ROOT) for c in checks)
    else:
        command = [str(PY), str(ROOT / "bench" / "run_all.py"), *rest]
    return subprocess.call(command, cwd=ROOT)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
