"""Hostile IATI/XML inputs: each answers in seconds, with bounded memory, clearly.

Every case runs in a subprocess under a time and memory limit (``_harness.run_case``) and builds
its input itself in ``tmp_path``.
"""

from __future__ import annotations

import ast

import pytest

from ._harness import assert_clear_error, run_case

# one activity of generated IATI 2.03 (``{i}`` is its number); used by the snippets below
_MAKE = r"""
from pathlib import Path
import time
import aidcalc
from aidcalc.io import read_iati

def activity(i, broken=False):
    end = "</valu>" if broken else "</value>"
    return (
        f'<iati-activity default-currency="EUR"><iati-identifier>A-{i}</iati-identifier>'
        f'<reporting-org ref="XM-DAC-5-52" type="10"><narrative>GIZ</narrative></reporting-org>'
        f'<sector vocabulary="1" code="72050"/><transaction><transaction-type code="3"/>'
        f'<transaction-date iso-date="2023-01-02"/><value value-date="2023-01-02">{i}.5{end}'
        f'</transaction></iati-activity>\n'
    )

def document(n, broken_at=None, head='<?xml version="1.0"?>\n'):
    body = "".join(activity(i, i == broken_at) for i in range(n))
    return head + '<iati-activities version="2.03">\n' + body + "</iati-activities>\n"
"""


def _case(tmp_path, body: str, **limits):
    return run_case(f"TMP = {str(tmp_path)!r}\n" + _MAKE + body, **limits)


def test_recover_is_linear_like_strict(tmp_path):
    """20k activities with one broken: recover=True costs about what a strict read costs."""
    outcome = _case(
        tmp_path,
        """
ok = Path(TMP) / "ok.xml"
ok.write_text(document(20_000))
broken = Path(TMP) / "broken.xml"
broken.write_text(document(20_000, broken_at=10_000))
t = time.perf_counter(); strict = read_iati(ok, return_rejected=True)
t_strict = time.perf_counter() - t
t = time.perf_counter(); rec = read_iati(broken, recover=True, return_rejected=True)
t_rec = time.perf_counter() - t
small = Path(TMP) / "small.xml"
small.write_text(document(2_000, broken_at=1_000))
t = time.perf_counter(); read_iati(small, recover=True, return_rejected=True)
t_small = time.perf_counter() - t
lost = rec.rejected[~rec.rejected["kept"].astype(bool)]
result = (len(strict.frame), len(rec.frame), len(lost), lost["row"].tolist(),
          t_rec / t_strict, t_rec / t_small)
""",
        timeout=120,
        memory_mb=2000,
    )
    assert outcome.ok, outcome.describe()
    n_strict, n_rec, n_lost, rows, vs_strict, vs_small = ast.literal_eval(outcome.result)
    assert (n_strict, n_rec, n_lost) == (20_000, 19_999, 1)
    assert rows == ["line 10003"]
    assert vs_strict < 3.0, f"recover took {vs_strict:.1f}x a strict read"
    assert vs_small < 25, f"10x the activities took {vs_small:.1f}x the time (not linear)"


@pytest.mark.parametrize("recover", [False, True])
def test_dev_zero_is_refused_at_once(recover):
    outcome = run_case(
        f"from aidcalc.io import read_iati\nresult = read_iati('/dev/zero', recover={recover})",
        timeout=30,
        memory_mb=1000,
    )
    assert_clear_error(outcome, "InputFileError", mentions=("/dev/zero", "not XML"))
    assert outcome.seconds < 10


@pytest.mark.parametrize("recover", [False, True])
@pytest.mark.parametrize(
    "prefix",
    [
        b'<iati-activities version="2.03">',  # then blanks without end
        b'<iati-activities version="2.03"><iati-activity><title>',  # then text without end
        b'<iati-activities version="2.03"><iati-activity x="',  # then an endless attribute
    ],
)
def test_endless_stream_stops_with_a_limit_error(tmp_path, recover, prefix):
    outcome = _case(
        tmp_path,
        f"""
import os, threading
fifo = Path(TMP) / "endless.xml"
os.mkfifo(fifo)
def feed():
    try:
        with open(fifo, "wb") as out:
            out.write({prefix!r})
            block = b"  aaaa  " * 8192
            while True:
                out.write(block)
    except (BrokenPipeError, OSError):
        pass
threading.Thread(target=feed, daemon=True).start()
result = read_iati(fifo, recover={recover}, return_rejected=True)
""",
        timeout=60,
        memory_mb=1500,
    )
    assert_clear_error(outcome, "InputFileError", mentions=("endless.xml", "without markup"))


@pytest.mark.parametrize("recover", [False, True])
@pytest.mark.parametrize(
    ("text", "root"),
    [
        ('<svg xmlns="http://www.w3.org/2000/svg" width="10"><rect/></svg>', "<svg>"),
        ('<rss version="2.0"><channel><title>x</title></channel></rss>', "<rss>"),
    ],
)
def test_xml_that_is_not_iati(tmp_path, recover, text, root):
    outcome = _case(
        tmp_path,
        f"""
path = Path(TMP) / "picture.xml"
path.write_text({text!r})
result = read_iati(path, recover={recover}, return_rejected=True)
""",
    )
    assert_clear_error(outcome, "InputFileError", mentions=("picture.xml", root, "root element"))


@pytest.mark.parametrize("recover", [False, True])
@pytest.mark.parametrize("encoding", ["x-unknown-8", "ebcdic-xyz", "base64"])
def test_unknown_encoding(tmp_path, recover, encoding):
    outcome = _case(
        tmp_path,
        f"""
path = Path(TMP) / "enc.xml"
path.write_text(document(3, head='<?xml version="1.0" encoding="{encoding}"?>\\n'))
result = read_iati(path, recover={recover}, return_rejected=True)
""",
    )
    assert_clear_error(
        outcome, "InputFileError", mentions=("enc.xml", "unknown encoding", encoding)
    )


@pytest.mark.parametrize("recover", [False, True])
@pytest.mark.parametrize("where", ["attribute", "text"])
def test_50_mb_value_is_a_clear_limit_error(tmp_path, recover, where):
    outcome = _case(
        tmp_path,
        f"""
big = "a" * (50 * 2**20)
one = activity(1)
one = (one.replace("<iati-activity ", f'<iati-activity x="{{big}}" ', 1) if {where!r} == "attribute"
       else one.replace("GIZ", big))
path = Path(TMP) / "big.xml"
path.write_text('<iati-activities version="2.03">' + one + "</iati-activities>")
del big, one
result = read_iati(path, recover={recover}, return_rejected=True)
""",
        timeout=60,
        memory_mb=1500,
    )
    assert_clear_error(outcome, "InputFileError", mentions=("big.xml", "32 MB", "without markup"))
    assert outcome.seconds < 20


@pytest.mark.parametrize("recover", [False, True])
def test_long_values_below_the_limit_take_linear_time(tmp_path, recover):
    outcome = _case(
        tmp_path,
        f"""
def timed(mb):
    one = activity(1).replace("GIZ", "b" * (mb * 2**20))
    path = Path(TMP) / f"v{{mb}}.xml"
    path.write_text('<iati-activities version="2.03">' + one + "</iati-activities>")
    t = time.perf_counter()
    frame, _ = read_iati(path, recover={recover}, return_rejected=True)
    assert len(frame) == 1 and len(frame["donor_name"].iloc[0]) == mb * 2**20
    return time.perf_counter() - t
timed(1)
result = timed(24) / timed(3)
""",
        timeout=90,
        memory_mb=2000,
    )
    assert outcome.ok, outcome.describe()
    ratio = float(outcome.result)
    assert ratio < 30, f"8x the length took {ratio:.1f}x the time (quadratic would be 64x)"


def test_truncated_file_reads_25_and_counts_the_26th(tmp_path):
    outcome = _case(
        tmp_path,
        """
text = document(26)
cut = text.index("<transaction>", text.index("A-25"))
path = Path(TMP) / "cut.xml"
path.write_text(text[:cut])
frame, rejected = read_iati(path, recover=True, return_rejected=True)
try:
    read_iati(path, return_rejected=True)
    strict = "no error"
except aidcalc.InputFileError as err:
    strict = str(err)
result = (len(frame), rejected[["row", "reason", "kept"]].values.tolist(), strict)
""",
    )
    assert outcome.ok, outcome.describe()
    rows, rejected, strict = ast.literal_eval(outcome.result)
    assert rows == 25
    assert len(rejected) == 1
    row, reason, kept = rejected[0]
    assert row == "line 28" and "truncated" in reason and kept is False
    assert "not well-formed XML at line 28" in strict
