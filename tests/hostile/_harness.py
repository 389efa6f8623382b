"""Run one hostile input in a fresh interpreter, under a time and a memory limit.

Every case is a small Python snippet that builds its own input (nothing large is committed) and
calls aidcalc.  The snippet runs in a subprocess with ``RLIMIT_AS`` set and a wall-clock timeout,
so a hang or a memory blow-up fails the one test (with the limit named) instead of the suite.

The snippet's last expression is not used; instead the snippet assigns ``result`` (any value whose
``repr`` is informative) or lets an exception escape.  The outcome says which, with the
exception's class, its MRO names and its message, so tests can assert "an AidcalcError that is
also a ValueError and names the row" without unpickling anything.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: default limits for one case: generous for a 2-core CI machine, far below a hang or a blow-up
TIMEOUT_S = 30.0
MEMORY_MB = 3000

_RUNNER = r"""
import json, sys, time, traceback, resource
_t0 = time.perf_counter()
_out = {"ok": True}
try:
    _ns = {}
    exec(compile(sys.stdin.read(), "<hostile case>", "exec"), _ns)
    _out["result"] = repr(_ns.get("result"))[:4000]
except BaseException as exc:  # noqa: BLE001 - the point is to report whatever escaped
    _out = {
        "ok": False,
        "error": type(exc).__name__,
        "module": type(exc).__module__,
        "mro": [c.__name__ for c in type(exc).__mro__],
        "message": str(exc)[:4000],
        "traceback": traceback.format_exc()[-4000:],
    }
_out["seconds"] = time.perf_counter() - _t0
_out["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
sys.stdout.write("\n@@OUTCOME@@" + json.dumps(_out))
"""


@dataclass
class Outcome:
    """What one hostile case did."""

    ok: bool
    result: str | None = None
    error: str | None = None
    mro: list[str] = field(default_factory=list)
    message: str = ""
    traceback: str = ""
    seconds: float = 0.0
    maxrss_mb: float = 0.0
    stdout: str = ""
    stderr: str = ""

    def raised(self, name: str = "AidcalcError") -> bool:
        """Whether the case raised ``name`` or a subclass of it."""
        return (not self.ok) and name in self.mro

    def describe(self) -> str:
        if self.ok:
            return f"returned {self.result} in {self.seconds:.2f}s"
        return f"raised {self.error} ({'/'.join(self.mro)}): {self.message}\n{self.traceback}"


def _limits(memory_mb: int):
    def apply() -> None:  # runs in the child before exec
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


def run_case(
    code: str,
    *,
    timeout: float = TIMEOUT_S,
    memory_mb: int = MEMORY_MB,
    cwd: str | os.PathLike[str] | None = None,
) -> Outcome:
    """Run ``code`` in a subprocess under the limits and return its :class:`Outcome`.

    Raises ``AssertionError`` (failing the test) when the case overruns its time, dies (e.g.
    out of memory) or prints no outcome.
    """
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.setdefault("MPLBACKEND", "Agg")
    env["PYTHONHASHSEED"] = "0"
    # one thread per library: a fair, repeatable budget
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")
    source = textwrap.dedent(code)
    started = time.perf_counter()
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _RUNNER],
            input=source,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env,
            cwd=cwd,
            preexec_fn=_limits(memory_mb),
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(
            f"hostile case did not answer within {timeout:.0f} s (a hang):\n{source}"
        ) from exc
    elapsed = time.perf_counter() - started
    marker = proc.stdout.rfind("@@OUTCOME@@")
    if marker < 0:
        raise AssertionError(
            f"hostile case died after {elapsed:.1f} s with exit code {proc.returncode} "
            f"(memory limit {memory_mb} MB?) and no outcome:\n{source}\nstderr:\n"
            f"{proc.stderr[-3000:]}"
        )
    data = json.loads(proc.stdout[marker + len("@@OUTCOME@@") :])
    return Outcome(
        ok=data["ok"],
        result=data.get("result"),
        error=data.get("error"),
        mro=data.get("mro", []),
        message=data.get("message", ""),
        traceback=data.get("traceback", ""),
        seconds=data.get("seconds", 0.0),
        maxrss_mb=data.get("maxrss_mb", 0.0),
        stdout=proc.stdout[:marker],
        stderr=proc.stderr,
    )


def assert_clear_error(
    outcome: Outcome, kind: str = "AidcalcError", *, mentions: tuple[str, ...] = ()
) -> None:
    """The case raised an aidcalc error of ``kind`` whose message names each of ``mentions``."""
    assert outcome.raised(kind), f"expected {kind}, but the case {outcome.describe()}"
    assert "AidcalcError" in outcome.mro, f"not an AidcalcError: {outcome.describe()}"
    for word in mentions:
        assert word.lower() in outcome.message.lower(), (
            f"the message should name {word!r}: {outcome.message}"
        )
