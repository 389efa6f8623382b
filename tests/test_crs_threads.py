"""CRS text blocks are parsed on several threads (issue 12): the result must be the one thread's
to the bit (rows, order, values, reports, errors), and the pipeline must keep its bounds."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aidcalc import InputFileError
from aidcalc.io import _crs_text, read_crs
from aidcalc.io._crs import iter_crs
from aidcalc.io._crs_text import in_order

# --- the ordered pipeline ---------------------------------------------------------------------


def _slow_square(x: int) -> int:
    time.sleep(0.001 * ((x * 7) % 5))  # later items often finish first
    return x * x


@pytest.mark.parametrize("threads", [1, 2, 3, 8])
def test_results_come_in_order(threads: int) -> None:
    assert list(in_order(_slow_square, range(40), threads)) == [x * x for x in range(40)]


@pytest.mark.parametrize("threads", [2, 3])
def test_at_most_threads_plus_one_items_in_flight(threads: int) -> None:
    taken: list[int] = []
    done: list[int] = []

    def items() -> Iterator[int]:
        for i in range(30):
            # taken - done: items pulled but not yet given back as results
            assert len(taken) - len(done) <= threads + 1
            taken.append(i)
            yield i

    for result in in_order(lambda x: x, items(), threads):
        done.append(result)
    assert done == list(range(30))


@pytest.mark.parametrize("threads", [1, 2, 4])
def test_an_error_of_the_items_comes_after_the_results_before_it(threads: int) -> None:
    def items() -> Iterator[int]:
        yield from range(5)
        raise InputFileError("line 9: broken")

    got: list[int] = []
    with pytest.raises(InputFileError, match="line 9"):
        for result in in_order(_slow_square, items(), threads):
            got.append(result)
    assert got == [0, 1, 4, 9, 16]  # as map() gives them, then the error


@pytest.mark.parametrize("threads", [1, 2, 4])
def test_an_error_of_the_work_is_raised_at_its_turn(threads: int) -> None:
    def work(x: int) -> int:
        if x == 3:
            raise ValueError("item 3")
        return _slow_square(x)

    got: list[int] = []
    with pytest.raises(ValueError, match="item 3"):
        for result in in_order(work, range(10), threads):
            got.append(result)
    assert got == [0, 1, 4]  # nothing after the failing item is given


def test_stopping_early_leaves_no_thread_behind() -> None:
    before = threading.active_count()
    results = in_order(_slow_square, range(1000), 3)
    assert [next(results) for _ in range(3)] == [0, 1, 4]
    results.close()  # the consumer stops (iter_crs abandoned): the pool is shut down
    time.sleep(0.05)
    assert threading.active_count() == before


# --- read_crs and iter_crs: the same with one thread and with several ---------------------------

HEADER = "Year|DonorName|RecipientName|PurposeCode|USD_Commitment|USD_Disbursement|ProjectTitle"
ROW = st.tuples(
    st.sampled_from(["2022", "2023", "", "n/a", "2022.5"]),
    st.sampled_from(["Japan", "Germany", "World Bank", ""]),
    st.sampled_from(["Ukraine", "Moldova"]),
    st.sampled_from(["15250", "23630", "x"]),
    st.sampled_from(["1.5", " 0.73", "", "inf", "-2"]),
    st.sampled_from(["2", "n/a", "1e400", ""]),
    # long titles: many of the smallest (4 KB) blocks; quoted line ends and stray quotes
    st.sampled_from(["Grid " * 150, '"two\nlines"', 'a "b', '"stray', "", "x"]),
)


def _read(path: Path, chunksize: int) -> tuple[pd.DataFrame, pd.DataFrame, list[pd.DataFrame]]:
    frame, rejected = read_crs(path, chunksize=chunksize, progress=False, return_rejected=True)
    return frame, rejected, list(iter_crs(path, chunksize=chunksize, progress=False))


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(ROW, max_size=60), chunksize=st.sampled_from([1, 5, 200_000]))
def test_several_threads_read_as_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rows: list[tuple[str, ...]], chunksize: int
) -> None:
    path = tmp_path / "crs.txt"
    path.write_text("\n".join([HEADER, *("|".join(r) for r in rows)]) + "\n", encoding="utf-8")
    results = {}
    for threads in (1, 3):
        monkeypatch.setattr(_crs_text, "parse_threads", lambda n=threads: n)
        try:
            results[threads] = _read(path, chunksize)
        except InputFileError as exc:  # a line no reading makes a row: the same error
            results[threads] = str(exc)  # type: ignore[assignment]
    one, three = results[1], results[3]
    if isinstance(one, str):
        assert one == three
        return
    pd.testing.assert_frame_equal(one[0], three[0])
    pd.testing.assert_frame_equal(one[1], three[1])
    assert len(one[2]) == len(three[2])
    for a, b in zip(one[2], three[2], strict=True):
        pd.testing.assert_frame_equal(a, b)
        pd.testing.assert_frame_equal(a.attrs["rejected"], b.attrs["rejected"])


def test_parse_threads_follows_pyarrow() -> None:
    pa = pytest.importorskip("pyarrow")
    before = pa.cpu_count()
    try:
        pa.set_cpu_count(1)
        assert _crs_text.parse_threads() == 1
        pa.set_cpu_count(64)
        assert _crs_text.parse_threads() == 8
    finally:
        pa.set_cpu_count(before)
