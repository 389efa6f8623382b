"""What every importer shares, in one import: the names of the modules that own them.

* :mod:`aidcalc.io._result`: the return convention (``finish``, ``ReadResult``,
  ``RejectedRows``, ``rejected_frame``);
* :mod:`aidcalc.io._source`: the input gate (``open_source``, ``check_path``, URLs);
* :mod:`aidcalc.io._zip`: the safe zip opener and its limits (``open_zip``, ``data_member``);
* :mod:`aidcalc.io._options`: the option checks (``check_choice``, ``refuse``...);
* :mod:`aidcalc.io._tables`: workbook rows, delimited text, Parquet size checks, shared cells.

Nothing is defined here; change a name where it is defined.
"""

from __future__ import annotations

from . import _options, _result, _source, _tables, _zip
from ._options import *  # noqa: F403 - the names each owner offers in its __all__
from ._result import *  # noqa: F403
from ._source import *  # noqa: F403
from ._tables import *  # noqa: F403
from ._zip import *  # noqa: F403

__all__ = [
    *_options.__all__,
    *_result.__all__,
    *_source.__all__,
    *_tables.__all__,
    *_zip.__all__,
]
