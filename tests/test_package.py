"""The package surface: what `import aidcalc` costs and exposes."""

from __future__ import annotations

import pickle
import subprocess
import sys
import traceback

import pandas as pd

import aidcalc


def test_every_public_name_resolves():
    for name in aidcalc.__all__:
        assert getattr(aidcalc, name) is not None, name


def test_errors_inherit_builtins():
    assert issubclass(aidcalc.ParseError, ValueError)
    assert issubclass(aidcalc.RateNotFoundError, LookupError)
    assert issubclass(aidcalc.DataCoverageError, LookupError)
    assert issubclass(aidcalc.InputFileError, aidcalc.AidcalcError)
    assert not issubclass(aidcalc.InputFileError, ImportError)


def test_errors_show_their_public_path_and_pickle():
    errors = [getattr(aidcalc, n) for n in aidcalc.__all__ if n.endswith("Error")]
    assert aidcalc.FrameTypeError in errors and len(errors) == 12
    assert aidcalc.AmountRangeError in errors and aidcalc.AmountTypeError in errors
    for cls in errors:
        assert cls.__module__ == "aidcalc" and getattr(aidcalc, cls.__name__) is cls
    err = aidcalc.ParseError("no number in 'about'", text="about", reason="no number")
    shown = traceback.format_exception_only(type(err), err)[-1]
    assert shown == "aidcalc.ParseError: no number in 'about'\n"
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is aidcalc.ParseError and str(back) == "no number in 'about'"
    assert (back.text, back.reason, back.fields) == ("about", "no number", err.fields)
    frame_err = aidcalc.FrameTypeError("x", problems=pd.DataFrame(), got="dict")
    back = pickle.loads(pickle.dumps(frame_err))
    assert isinstance(back, TypeError) and back.got == "dict"


def test_import_is_light():
    code = (
        "import sys, aidcalc\n"
        "heavy = [m for m in ('matplotlib', 'pint', 'currency_converter', 'babel.numbers',"
        " 'aidcalc._money._rates', 'aidcalc._money._units', 'lxml', 'openpyxl')"
        " if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"import aidcalc pulled in: {out.stdout.strip()}"
