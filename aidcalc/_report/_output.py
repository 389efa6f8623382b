"""The report's output folder: files written atomically, never through a symbolic link, and a
manifest so that a later report removes what it no longer writes (and nothing else)."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .._base._errors import join_values
from ._options import ReportError

__all__ = ["MANIFEST", "Output", "check_out"]

MANIFEST = ".aidcalc-report-files"


def check_out(out: str | Path) -> None:
    """``--out`` names a folder (not empty: the report never writes into the current folder by
    accident); checked on its own, before anything is read."""
    if not str(out).strip():
        raise ReportError(
            "--out is empty: name an output folder, e.g. --out aidcalc-report (the report "
            "never writes into the current folder by accident)",
            option="out",
        )


class Output:
    """The output folder: files are written through a temporary file and ``os.replace``, never
    through a symbolic link; files an earlier run wrote and this one does not are removed (only
    those listed in that run's manifest)."""

    def __init__(self, out: str | Path, names: Sequence[str]) -> None:
        text = str(out)
        check_out(text)
        self.dir = Path(out)
        if self.dir.exists() and not self.dir.is_dir():
            raise ReportError(f"--out {text}: is a file, not a folder; choose a folder",
                              option="out")
        links = [n for n in (*names, MANIFEST) if (self.dir / n).is_symlink()]
        if links:
            raise ReportError(
                f"--out {text}: {join_values(links)} {'is a' if len(links) == 1 else 'are'} "
                f"symbolic link{'s' if len(links) > 1 else ''}; aidcalc never writes through a "
                f"link (it could overwrite a file outside the folder): remove "
                f"{'it' if len(links) == 1 else 'them'} or choose another --out",
                option="out", links=links,
            )
        self._check_writable(text)
        self.files: list[Path] = []
        self._previous = self._read_manifest()

    def _check_writable(self, text: str) -> None:
        """The folder, or the nearest folder above it that exists, can be written (checked
        before anything is read, so that a report is never computed for nothing)."""
        here = self.dir.absolute()
        while not here.exists() and here != here.parent:
            here = here.parent
        if not here.is_dir():
            raise ReportError(f"--out {text}: {here} is a file, not a folder; choose a folder",
                              option="out")
        if not os.access(here, os.W_OK | os.X_OK):
            raise ReportError(f"--out {text}: {here} cannot be written (permission denied); "
                              "choose a folder you can write to", option="out")

    def _read_manifest(self) -> list[str]:
        path = self.dir / MANIFEST
        if not path.is_file() or path.is_symlink():
            return []
        names = path.read_text(encoding="utf-8").splitlines()
        return [n for n in names if n and Path(n).name == n and n not in (".", "..")]

    def write(self, name: str, writer: Callable[[Path], Any]) -> Path:
        """Write ``name`` with ``writer(tmp_path)``, then move it into place atomically; a
        failure of the file system is a ReportError naming ``--out`` and the reason."""
        try:
            return self._write(name, writer)
        except OSError as err:
            reason = err.strerror or _one_line(err)
            raise ReportError(
                f"--out {self.dir}: cannot write {name} ({reason}"
                f"{f': {err.filename}' if err.filename else ''}); choose a folder you can "
                "write to, with space left", option="out",
            ) from err

    def _write(self, name: str, writer: Callable[[Path], Any]) -> Path:
        self.dir.mkdir(parents=True, exist_ok=True)
        target = self.dir / name
        if target.is_symlink():
            raise ReportError(f"{target} is a symbolic link; aidcalc never writes through a link",
                              option="out")
        fd, tmp = tempfile.mkstemp(prefix=".aidcalc-", suffix=Path(name).suffix, dir=self.dir)
        os.close(fd)
        try:
            writer(Path(tmp))
            os.replace(tmp, target)  # replaces a link itself, never the file it points to
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        self.files.append(target)
        return target

    def finish(self) -> list[Path]:
        """Write the manifest; remove what the previous run wrote and this one did not."""
        written = {p.name for p in self.files}
        stale = [n for n in self._previous if n not in written and n != MANIFEST]
        text = "".join(f"{p.name}\n" for p in self.files)
        self.write(MANIFEST, lambda p: p.write_text(text, encoding="utf-8"))
        self.files.pop()  # the manifest is bookkeeping, not part of the report
        removed = []
        for name in stale:
            path = self.dir / name
            if path.is_file() and not path.is_symlink():
                path.unlink()
                removed.append(path)
        return removed



def _one_line(err: BaseException) -> str:
    return " ".join(str(err).split()) or type(err).__name__
