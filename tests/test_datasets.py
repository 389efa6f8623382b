"""The embedded datasets: every table is documented, sourced, and loads lazily once."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import aidcalc
from aidcalc._base import _datasets

REQUIRED = ("name", "title", "file", "publisher", "source_url", "vintage", "licence", "retrieved")
METAS = sorted(_datasets.data_dir().glob("*.json"))


def test_there_are_datasets():
    assert METAS, "datasets/ has no <name>.json sidecars"


@pytest.mark.parametrize("meta", METAS, ids=lambda p: p.stem)
def test_sidecar_names_its_source(meta):
    raw = json.loads(meta.read_text(encoding="utf-8"))
    missing = [k for k in REQUIRED if not str(raw.get(k, "")).strip()]
    assert not missing, f"{meta.name} lacks {missing}"
    assert raw["name"] == meta.stem
    assert raw["source_url"].startswith("http")
    assert (_datasets.data_dir() / raw["file"]).is_file()


@pytest.mark.parametrize("meta", METAS, ids=lambda p: p.stem)
def test_readme_documents_dataset(meta):
    readme = (_datasets.data_dir() / "README.md").read_text(encoding="utf-8")
    assert f"`{meta.stem}`" in readme, f"datasets/README.md does not document {meta.stem}"


def test_listing_has_every_dataset_with_coverage():
    listing = aidcalc.datasets()
    assert sorted(listing["name"]) == sorted(p.stem for p in METAS)
    assert (listing["rows"] > 0).all()
    assert listing["coverage"].str.len().gt(0).all()


def test_read_once_and_copies_are_independent():
    name = METAS[0].stem
    a = aidcalc.load_dataset(name)
    a.iloc[:, 0] = None
    b = aidcalc.load_dataset(name)
    assert not b.iloc[:, 0].isna().all()
    assert _datasets.read_dataset(name, copy=False) is _datasets.read_dataset(name, copy=False)


def test_unknown_dataset_says_what_exists():
    with pytest.raises(LookupError, match=r"available: "):
        aidcalc.load_dataset("no_such_table")


def test_tables_are_tidy_with_sources():
    for meta in METAS:
        frame = _datasets.read_dataset(meta.stem, copy=False)
        assert isinstance(frame, pd.DataFrame) and len(frame.columns) >= 2
        assert not frame.columns.duplicated().any()
