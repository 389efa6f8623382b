"""aidcalc charts in a fresh Jupyter kernel: every figure displays, aidcalc's and the user's.

The kernel runs ``%matplotlib inline``; three aidcalc charts and one plain ``plt.plot`` must each
come back as an ``image/png`` output (a chart function that switched interactive mode off, or
left a style context open, would stop the later ones from displaying). Skips when no kernel
can be started here.
"""

from __future__ import annotations

import contextlib
import os

import pytest

SETUP = """\
{magic}
import pandas as pd
import aidcalc.plot
df = pd.DataFrame({
    "donor": ["JPN", "JPN", "DEU", "USA"],
    "category": ["energy", "demining", "energy", "reconstruction"],
    "status": ["pledged", "disbursed", "committed", "pledged"],
    "announced": pd.to_datetime(["2023-03-01", "2024-02-19", "2023-06-01", "2022-07-04"]),
    "v": [3e9, 1e9, 2.5e9, 7.5e8],
})
"""

CHARTS = [
    'aidcalc.plot.donors(df, value="v", unit="EUR");',
    'aidcalc.plot.pipeline(df, value="v", unit="EUR");',
    'aidcalc.plot.timeline(df, value="v", unit="EUR");',
    "import matplotlib.pyplot as plt\nplt.plot([1, 3, 2]);",
]

CHECK = "assert plt.isinteractive(), 'aidcalc switched interactive mode off'"


@pytest.mark.parametrize(
    "magic",
    ["%matplotlib inline", "# the kernel's default backend (inline), chosen on first use"],
)
def test_every_chart_displays_in_a_fresh_kernel(tmp_path, magic):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    cells = [SETUP.replace("{magic}", magic), *CHARTS, CHECK]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    client = nbclient.NotebookClient(
        nb, timeout=180, kernel_name="python3", allow_errors=True,
        resources={"metadata": {"path": str(tmp_path)}},
    )
    # a fresh Jupyter's environment: no backend forced by other tests (docs/conf.py sets
    # MPLBACKEND=Agg in this process), so the kernel chooses matplotlib-inline itself
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    kernel = client.setup_kernel(env=env)
    try:
        kernel.__enter__()
    except Exception as err:  # no kernelspec, no ZMQ, sandbox without sockets, ...
        pytest.skip(f"cannot start a Jupyter kernel here: {type(err).__name__}: {err}")
    try:
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
    finally:
        with contextlib.suppress(Exception):
            kernel.__exit__(None, None, None)
    images = [
        [out for out in cell.get("outputs", []) if "image/png" in out.get("data", {})]
        for cell in nb.cells
    ]
    errors = [out for cell in nb.cells for out in cell.get("outputs", [])
              if out.get("output_type") == "error"]
    assert [len(found) for found in images] == [0, 1, 1, 1, 1, 0], errors
    assert sum(len(found) for found in images) == 4
    assert not errors, errors
