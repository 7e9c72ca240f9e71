"""pymarc's side channels (stderr, logging, warnings) captured per call and turned into a
record's errors and warnings."""

from __future__ import annotations

import contextlib
import io
import logging
import threading
import warnings
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field

from pymarc.exceptions import (
    BadSubfieldCodeWarning,
)

from libcoop.catalog.marc.items import Verdict

_PYMARC_LOCK = threading.RLock()
_LOG_SINK: ContextVar[list[str] | None] = ContextVar("_LOG_SINK", default=None)


class _PymarcLogCapture(logging.Filter):
    """While a capture is active, pymarc's log lines become record warnings instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        sink = _LOG_SINK.get()
        if sink is None:
            return True
        sink.append(record.getMessage())
        return False


logging.getLogger("pymarc").addFilter(_PymarcLogCapture())


@dataclass(slots=True)
class Captured:
    stderr: str = ""
    log: list[str] = field(default_factory=list)
    bad_subfield_codes: list[bytes] = field(default_factory=list)
    other_warnings: list[str] = field(default_factory=list)


def call_pymarc[T](fn: Callable[[], T]) -> tuple[T | None, Exception | None, Captured]:
    """Run ``fn`` capturing what pymarc reports on the side (stderr, logging, warnings).

    pymarc's MARC-8 decoder writes unmappable characters to ``sys.stderr`` and its
    reader warns through ``warnings``; both are process-global, so calls are serialised
    with a lock (other threads' stderr output during a call would be captured too).
    """
    captured = Captured()
    err = io.StringIO()
    result: T | None = None
    error: Exception | None = None
    token = _LOG_SINK.set(captured.log)
    try:
        with (
            _PYMARC_LOCK,
            contextlib.redirect_stderr(err),
            warnings.catch_warnings(record=True) as caught,
        ):
            warnings.simplefilter("always")
            try:
                result = fn()
            except Exception as exc:  # pymarc raises many kinds; all become problems
                error = exc
    finally:
        _LOG_SINK.reset(token)
    captured.stderr = err.getvalue()
    for w in caught:
        if isinstance(w.message, BadSubfieldCodeWarning):
            captured.bad_subfield_codes.append(bytes(w.message.subf))
        else:
            captured.other_warnings.append(str(w.message))
    return result, error, captured


def report_captured(captured: Captured, verdict: Verdict) -> None:
    """Turn pymarc's side-channel reports into errors and warnings."""
    for subf in captured.bad_subfield_codes:
        hint = (
            " (U+FFFD: mangled by an earlier conversion)"
            if subf.startswith(b"\xef\xbf\xbd")
            else ""
        )
        verdict.error(
            "bad_subfield", f"non-ASCII subfield code {subf[:4]!r}{hint} in {subf[:40]!r}"
        )
    for line in captured.log:
        if line.startswith(("missing indicators", "only 1 indicator")):
            verdict.error("bad_indicator", f"data field {line[:120]}")
        else:
            verdict.warnings.append(line[:160])
    verdict.warnings.extend(captured.other_warnings)
