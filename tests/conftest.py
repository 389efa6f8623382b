"""Shared fixtures: the optional real reference data, matplotlib in headless mode, hypothesis."""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import pytest
from hypothesis import HealthCheck, settings

matplotlib.use("Agg")

# never read or write the user's real download cache (aidcalc update) from tests
if "AIDCALC_CACHE_DIR" not in os.environ:
    import tempfile

    os.environ["AIDCALC_CACHE_DIR"] = tempfile.mkdtemp(prefix="aidcalc-test-cache-")
os.environ.pop("AIDCALC_VINTAGES", None)

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = Path(os.environ.get("AIDCALC_REFERENCE", ROOT.parent / "shared" / "reference"))

settings.register_profile(
    "default", deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile(
    "ci", deadline=None, max_examples=100, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("ci" if os.environ.get("CI") else "default")


@pytest.fixture(scope="session")
def reference() -> Path:
    """The real reference data folder (``../shared/reference``); skips the test when absent."""
    if not REFERENCE.is_dir():
        pytest.skip(f"reference data not found at {REFERENCE} (only present in the dev workspace)")
    return REFERENCE


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
