"""Every benchmark script imports: a module moved in the code must be followed in bench/."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT

PROBE = """
import importlib, json, sys
failed = {}
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except Exception as exc:  # every failure is reported, not only the first
        failed[name] = repr(exc)
print(json.dumps(failed))
"""


def test_every_benchmark_imports() -> None:
    scripts = sorted(p.stem for p in (ROOT / "bench").glob("*.py"))
    # A fresh interpreter, as `python bench/NAME.py` runs it (bench/ first on the path).
    done = subprocess.run([sys.executable, "-c", PROBE, *scripts], cwd=ROOT / "bench",
                          env={"PYTHONPATH": str(ROOT / "bench"), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.splitlines()[-1]) == {}
    assert "run_all" in scripts  # the glob found the scripts: the test is not vacuous
