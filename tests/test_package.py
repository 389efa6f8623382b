"""The package surface: what `import aidcalc` costs and exposes."""

from __future__ import annotations

import subprocess
import sys

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


def test_import_is_light():
    code = (
        "import sys, aidcalc\n"
        "heavy = [m for m in ('matplotlib', 'pint', 'currency_converter', 'babel.numbers',"
        " 'aidcalc._rates', 'aidcalc._units', 'lxml', 'openpyxl') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "", f"import aidcalc pulled in: {out.stdout.strip()}"
