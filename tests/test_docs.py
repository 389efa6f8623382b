"""The documentation: its code runs, it documents every public name, and (with Sphinx
installed) the site builds with warnings as errors."""

from __future__ import annotations

import doctest
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

import aidcalc
import aidcalc.io
import aidcalc.plot

DOCS = Path(__file__).resolve().parents[1] / "docs"
PAGES = sorted(p for p in DOCS.glob("*.md") if p.name != "changelog.md")


def _blocks(page: Path) -> list[str]:
    return re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), flags=re.S)


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_page_code_runs(page: Path, tmp_path, monkeypatch) -> None:
    """Each page's python blocks run in order in one namespace (doctest blocks as doctests)."""
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": f"__docs_{page.stem}__"}
    for block in _blocks(page):
        if block.lstrip().startswith(">>>"):
            test = doctest.DocTestParser().get_doctest(block, namespace, page.stem, str(page), 0)
            runner = doctest.DocTestRunner(
                optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
            )
            runner.run(test, clear_globs=False)
            namespace.update(test.globs)  # DocTest copies its globals: carry them on
            assert runner.failures == 0, f"a doctest on {page.name} failed (see output above)"
        else:
            exec(compile(block, str(page), "exec"), namespace)


def test_tutorial_walks_the_motivating_example() -> None:
    text = (DOCS / "tutorial.md").read_text(encoding="utf-8")
    assert "$12.1 billion" in text and "¥1.9 trillion" in text
    assert ".. plot::" in text  # the chart is drawn at build time


def test_every_public_name_is_in_the_api_reference() -> None:
    """docs/conf.py writes the API page from __all__; check the generator covers every name."""
    spec = importlib.util.spec_from_file_location("_aidcalc_docs_conf", DOCS / "conf.py")
    assert spec is not None and spec.loader is not None
    pytest.importorskip("sphinx")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    api = (DOCS / "api.rst").read_text(encoding="utf-8")
    documented = set(re.findall(r"^   (\w+)$", api, flags=re.M))
    public = (set(aidcalc.__all__) - {"io", "plot", "__version__"})
    assert public <= documented
    assert set(aidcalc.io.__all__) <= documented
    assert set(aidcalc.plot.__all__) <= documented


@pytest.mark.skipif(importlib.util.find_spec("sphinx") is None, reason="sphinx not installed")
@pytest.mark.slow
def test_site_builds_without_warnings(tmp_path) -> None:
    """`make docs` in miniature: sphinx -W builds the site, gallery and API pages included."""
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         "-d", str(tmp_path / "doctrees"), str(DOCS), str(tmp_path / "html")],
        capture_output=True, text=True, timeout=900, check=False,
    )
    assert done.returncode == 0, done.stderr[-5000:]
    html = tmp_path / "html"
    assert (html / "api.html").exists() and (html / "tutorial.html").exists()
    gallery = (html / "gallery" / "index.html").read_text(encoding="utf-8")
    for script in (DOCS.parent / "examples").glob("*.py"):
        assert script.stem in gallery
    assert list((html / "_images").glob("*.png")), "the gallery and tutorial draw charts"
