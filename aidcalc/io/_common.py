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

from ._options import (
    check_choice,
    check_count,
    check_limit,
    check_mapped_columns,
    check_mapping,
    check_member,
    check_sheet,
    not_a_zip,
    option_error,
    refuse,
)
from ._result import (
    REJECTED_COLUMNS,
    ReadResult,
    RejectedRows,
    finish,
    reason_counts,
    rejected_frame,
    summary_html,
    summary_text,
)
from ._source import (
    MAX_DOWNLOAD,
    URL_TIMEOUT,
    InputTypeError,
    Source,
    check_path,
    local_file_reader,
    open_source,
    url_scheme,
)
from ._tables import (
    Prepended,
    check_parquet,
    donor_codes_or_na,
    in_window,
    open_text,
    read_delimited,
    read_workbook,
    utf8_stream,
)
from ._zip import (
    MAX_MEMBERS,
    MAX_RATIO,
    MAX_UNCOMPRESSED,
    MAX_WORKBOOK_UNCOMPRESSED,
    RATIO_FLOOR,
    ZIP_ERRORS,
    ZipLimits,
    check_zip,
    damaged_member,
    data_member,
    data_members,
    file_error,
    open_member,
    open_zip,
    read_prefix,
    size_text,
    skipped_members,
)

__all__ = [
    "MAX_DOWNLOAD",
    "MAX_MEMBERS",
    "MAX_RATIO",
    "MAX_UNCOMPRESSED",
    "MAX_WORKBOOK_UNCOMPRESSED",
    "RATIO_FLOOR",
    "REJECTED_COLUMNS",
    "URL_TIMEOUT",
    "ZIP_ERRORS",
    "InputTypeError",
    "Prepended",
    "ReadResult",
    "RejectedRows",
    "Source",
    "ZipLimits",
    "check_choice",
    "check_count",
    "check_limit",
    "check_mapped_columns",
    "check_mapping",
    "check_member",
    "check_parquet",
    "check_path",
    "check_sheet",
    "check_zip",
    "damaged_member",
    "data_member",
    "data_members",
    "donor_codes_or_na",
    "file_error",
    "finish",
    "in_window",
    "local_file_reader",
    "not_a_zip",
    "open_member",
    "open_source",
    "open_text",
    "open_zip",
    "option_error",
    "read_delimited",
    "read_prefix",
    "read_workbook",
    "reason_counts",
    "refuse",
    "rejected_frame",
    "size_text",
    "skipped_members",
    "summary_html",
    "summary_text",
    "url_scheme",
    "utf8_stream",
]
