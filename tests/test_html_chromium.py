"""index.html in headless Chromium: every chart decodes, nothing is broken, a screenshot renders.

Needs Debian's ``chromium`` (``make test`` installs it where it can); skips with a message
otherwise.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from aidcalc._report._build import CHARTS

PROBE = """<script>
window.addEventListener("load", () => {
  const imgs = [...document.images];
  const broken = imgs.filter(i => !(i.complete && i.naturalWidth > 0))
                     .map(i => i.dataset.file || i.src.slice(0, 40));
  const out = document.createElement("pre");
  out.id = "aidcalc-probe";
  out.textContent = JSON.stringify({
    images: imgs.length, broken: broken, files: imgs.map(i => i.dataset.file),
    widths: imgs.map(i => i.naturalWidth), tables: document.querySelectorAll("table").length,
  });
  document.body.appendChild(out);
});
</script>"""


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    pytest.skip(
        "headless Chromium not installed (Debian: apt-get install chromium chromium-driver, "
        "or run 'make system-deps' as root); index.html not checked in a browser"
    )


def _run(browser: str, *args: str) -> subprocess.CompletedProcess[str]:
    flags = ["--headless", "--disable-gpu", "--disable-dev-shm-usage", "--hide-scrollbars",
             "--no-first-run", "--disable-extensions"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        flags.append("--no-sandbox")  # Chromium refuses to run as root with the sandbox
    return subprocess.run([browser, *flags, *args], capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    from test_report import built  # the report the report tests already built

    code, out = built(tmp_path_factory.getbasetemp())
    assert code == 0
    return out / "index.html"


def test_every_chart_decodes_in_chromium(page, tmp_path):
    browser = _chromium()
    probe = page.with_name("probe.html")
    probe.write_text(page.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"),
                     encoding="utf-8")
    try:
        done = _run(browser, "--virtual-time-budget=10000", "--dump-dom", probe.as_uri())
    finally:
        probe.unlink()
    match = re.search(r'<pre id="aidcalc-probe">(.*?)</pre>', done.stdout, flags=re.S)
    assert match, f"probe did not run; chromium said: {done.stderr[-500:]}"
    result = json.loads(match.group(1).replace("&quot;", '"'))
    assert result["broken"] == []
    assert result["files"] == [f"{c}.png" for c in CHARTS]
    assert all(w >= 1000 for w in result["widths"])
    assert result["tables"] >= 5


def test_screenshot_of_the_page(page, tmp_path):
    browser = _chromium()
    shot = tmp_path / "index.png"
    _run(browser, "--window-size=1200,2400", f"--screenshot={shot}", page.as_uri())
    assert shot.exists(), "chromium wrote no screenshot"
    with Image.open(shot) as img:
        assert img.size == (1200, 2400)
        grey = img.convert("L")
        lo, hi = grey.getextrema()
        assert hi - lo > 100  # not a blank page
        # coloured bars of the first chart are on it (not only text)
        colours = img.convert("RGB").getcolors(maxcolors=1 << 20)
        assert colours is not None and len(colours) > 50
    keep = os.environ.get("AIDCALC_SCREENSHOT")
    if keep:  # look at it: AIDCALC_SCREENSHOT=/tmp/index.png pytest tests/test_html_chromium.py
        shutil.copy(shot, keep)
