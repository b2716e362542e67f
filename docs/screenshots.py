"""Screenshots of the admin site and both HTML reports, into ``docs/img/``.

    .venv/bin/python docs/screenshots.py

Uses the admin page's browser-test set-up (`tests.e2e.admin_site`): the real receiver
with a seeded decision log, an embedded Redis and headless Chromium. It writes:

- ``admin-index.png``, ``admin-record.png``, ``admin-failed.png`` at 1400 px wide;
- ``admin-narrow.png``, the open list at 420 px wide;
- ``report.png``, ``handoff report --html`` on the same decision log;
- ``sweep.png``, ``handoff simulate --sweep --html`` on the sample tickets.

Needs chromium, chromedriver and selenium (exit 2 without them).
"""

from __future__ import annotations

import os
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from click.testing import CliRunner  # noqa: E402

from core.admin_settings import ReportSettings  # noqa: E402
from tests.e2e.admin_site import CHROMIUM, LEAD, chrome, serve_site, sign_in  # noqa: E402
from worker.cli import main  # noqa: E402
from worker.cli.render import formats  # noqa: E402

OUT = ROOT / "docs" / "img"


def shoot(driver: Any, url: str, name: str) -> None:
    """Load `url` and save the whole page (its full height) as ``OUT/name``."""
    width = driver.execute_script("return window.innerWidth")

    def viewport(height: int) -> None:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": False})

    viewport(600)  # a short viewport first, so the page's own height is what is measured
    driver.get(url)
    viewport(min(max(driver.execute_script(
        "return document.documentElement.scrollHeight"), 600), 4000))
    driver.save_screenshot(str(OUT / name))
    print(f"wrote {OUT / name}")


def main_() -> int:
    if CHROMIUM is None:
        print("needs chromium and chromedriver: apt-get install chromium chromium-driver",
              file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        home = Path(scratch)
        with serve_site(home) as site:
            with chrome(1400, 900) as driver:
                sign_in(driver, site, LEAD)
                shoot(driver, f"{site.url}/admin/", "admin-index.png")
                record = site.records.list_open()[0]["id"]
                shoot(driver, f"{site.url}/admin/escalations/{record}", "admin-record.png")
                shoot(driver, f"{site.url}/admin/failed", "admin-failed.png")
            with chrome(420, 900) as driver:
                sign_in(driver, site, LEAD)
                shoot(driver, f"{site.url}/admin/", "admin-narrow.png")
            now = datetime.now(UTC)
            data = formats.collect(site.records, now - timedelta(days=28), now,
                                   ReportSettings(), now)
            report = home / "report.html"
            report.write_text(formats.page(data), encoding="utf-8")
        config = home / "handoff.yaml"
        config.write_text(f"knowledge_dir: {ROOT / 'config' / 'knowledge'}\n"
                          f"index_dir: {home / 'index'}\n", encoding="utf-8")
        sweep = home / "sweep.html"
        os.chdir(ROOT)  # the page names the file it read: a path inside the repository
        result = CliRunner().invoke(main, [
            "simulate", "config/samples/tickets.jsonl", "--sweep",
            "--quiet", "--config", str(config), "--html", str(sweep), "--max-wrong", "1%"])
        if result.exit_code != 0:
            print(result.output, file=sys.stderr)
            return 1
        with chrome(1400, 900) as driver:
            shoot(driver, report.as_uri(), "report.png")
            shoot(driver, sweep.as_uri(), "sweep.png")
    return 0


if __name__ == "__main__":
    sys.exit(main_())
