"""The database-free half of an import: MARC items to rows ready to be written.

Everything here is a pure function of the file's bytes (no Django, no database), so that it
can run in a worker process beside the process that writes (``ingest``): the checks, the
facts, the match keys, the holdings, the record's columns in database form (JSON already
encoded) and the text analysis of what its search document will hold.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import subprocess
import sys
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO

from pymarc import Field

from libcoop.catalog.facts import BibFacts, extract_facts
from libcoop.catalog.marc import MarcItem, ParsedRecord, RecordProblem, read_marc
from libcoop.catalog.matching import MatchInfo, blocking_keys, match_terms
from libcoop.textsearch.backends.analysis import (
    FieldTerms,
    analyse_once,
    analyse_text,
    key_of,
)
from libcoop.textsearch.keys import author_key

RAW_PROBLEM_LIMIT = 64 * 1024
_author_key = lru_cache(maxsize=16384)(author_key)  # names repeat across a catalogue
SUBJECT_LIMIT = 30  # subjects a cluster's merged record (and search document) keeps

# BibRecord columns a prepared record fills, in ``Prepared.values`` order.
RECORD_COLUMNS = (
    "raw",
    "raw_format",
    "source_encoding",
    "checksum",
    "marc",
    "warnings",
    "flagged",
    "format",
    "language",
    "title",
    "title_key",
    "author",
    "author_key",
    "year",
    "pages",
    "isbns",
    "issns",
    "other_ids",
    "subjects",
    "field_count",
)
JSON_COLUMNS = frozenset({"marc", "warnings", "isbns", "issns", "other_ids", "subjects"})
HOLDING_COLUMNS = ("location", "call_number", "barcode", "note")


@dataclass(slots=True)
class Problem:
    """A record that cannot be loaded (an ``ImportProblem`` once written)."""

    position: int
    offset: int
    local_id: str
    reason: str
    message: str
    raw: bytes


@dataclass(slots=True)
class Prepared:
    """One record ready to be written: its columns, holdings, match facts and search terms."""

    position: int
    offset: int
    local_id: str
    checksum: str
    active: bool  # False: marked deleted (leader/05 = d)
    values: tuple[Any, ...]  # RECORD_COLUMNS order, database form
    holdings: list[tuple[str, str, str, str]]
    format: str
    title: str
    title_key: str
    author: str
    author_key: str
    year: int | None
    pages: int | None
    isbns: tuple[str, ...]
    issns: tuple[str, ...]
    other_ids: tuple[str, ...]
    subjects: tuple[str, ...]
    keys: frozenset[str]  # blocking keys
    # The analysed text of the search document of a cluster holding only this record (or
    # copies with the same title, author and subjects): title, author, subjects.
    terms: tuple[tuple[str, FieldTerms], ...] = ()

    def match_info(self, record_id: int, library_id: int) -> MatchInfo:
        return MatchInfo(
            record_id=record_id,
            library_id=library_id,
            format=self.format,
            title_key=self.title_key,
            author_key=self.author_key,
            year=self.year,
            pages=self.pages,
            isbns=frozenset(self.isbns),
            issns=frozenset(self.issns),
            other_ids=frozenset(self.other_ids),
        )


def record_fields(item: ParsedRecord, facts: BibFacts, checksum: str) -> dict[str, Any]:
    """The BibRecord columns for a parsed record (Python values)."""
    other_ids = [f"oclc:{n}" for n in facts.oclc_numbers]
    if facts.lccn:
        other_ids.append(f"lccn:{facts.lccn}")
    other_ids.extend(match_terms(facts))  # names, publisher, edition: see matching.Extras
    return {
        "raw": item.raw,
        "raw_format": "marcxml" if item.raw.lstrip()[:1] == b"<" else "iso2709",
        "source_encoding": item.encoding[:40],
        "checksum": checksum,
        "marc": item.record.as_dict(),
        # A salvaged record's repairs come first, as {"repaired": reason, "detail": ...}:
        # they flag it for its library (``catalog.attention``); plain strings are notes.
        "warnings": [r.as_json() for r in item.repairs] + list(item.warnings),
        "flagged": bool(item.repairs),  # the attention list's indexed column
        "format": facts.format,
        "language": (facts.language or "")[:3],
        "title": facts.title,
        "title_key": key_of(facts.title_sort)[:300],
        "author": (facts.main_author or "")[:300],
        "author_key": _author_key(facts.main_author or "")[:200],
        "year": facts.year,
        "pages": facts.pages,
        "isbns": list(facts.isbns),
        "issns": list(facts.issns),
        "other_ids": other_ids,
        "subjects": list(facts.subjects),
        "field_count": len(item.record.fields),
    }


def _in_order(field: Field, codes: str) -> str:
    """The values of subfields *codes* as they stand in the field (852 $k prefix comes first)."""
    return " ".join(s.value.strip() for s in field.subfields if s.code in codes and s.value.strip())


def holdings_of(item: ParsedRecord, library: object = None) -> list[dict[str, str]]:
    """Holdings from 852 (MARC holdings) or 949 (common local item field); else one per library.

    852: location $b (sublocation) $c (shelving location) — $a names the institution, which the
    union catalog shows already, so it is the location only when there is no $b/$c; call number
    $k prefix, $h classification, $i item part, $m suffix in field order, or $j (shelving
    control number) when those are absent.
    949: location $l $m, call number $a $b, barcode $i $p.
    """
    out = []
    for field in item.record.get_fields("852"):
        call_number = _in_order(field, "khim") or _in_order(field, "j")
        out.append(
            {
                "location": (_in_order(field, "bc") or _in_order(field, "a"))[:200],
                "call_number": call_number[:200],
                "barcode": " ".join(field.get_subfields("p"))[:100],
                "note": " ".join(field.get_subfields("z"))[:300],
            }
        )
    for field in item.record.get_fields("949"):
        out.append(
            {
                "location": " ".join(field.get_subfields("l", "m"))[:200],
                "call_number": " ".join(field.get_subfields("a", "b"))[:200],
                "barcode": " ".join(field.get_subfields("i", "p"))[:100],
                "note": " ".join(field.get_subfields("z"))[:300],
            }
        )
    return out or [{"location": "", "call_number": "", "barcode": "", "note": ""}]


def fallback_id(item: ParsedRecord) -> str:
    """A stable id for a record without 001: its first 035, else a digest of its bytes (so a
    re-import of the same file still changes nothing)."""
    for field in item.record.get_fields("035"):
        for value in field.get_subfields("a"):
            if value.strip():
                return "035:" + value.strip()[:90]
    return "sha1:" + hashlib.sha1(item.raw, usedforsecurity=False).hexdigest()[:20]


def problem(item: RecordProblem | ParsedRecord, reason: str, message: str) -> Problem:
    return Problem(
        position=item.position,
        offset=item.offset,
        local_id=(item.local_id or "")[:100],
        reason=reason[:32],
        message=message,
        raw=item.raw[:RAW_PROBLEM_LIMIT],
    )


def document_texts(title: str, author: str, subjects: tuple[str, ...]) -> tuple[str, str, str]:
    """The title, author and subject text of a one-record cluster's search document."""
    kept = list(dict.fromkeys(subjects))[:SUBJECT_LIMIT]
    return title, author, " \n".join(kept)


def _prepared(item: ParsedRecord, local_id: str, facts: BibFacts, analyse: bool) -> Prepared:
    checksum = hashlib.sha256(item.raw).hexdigest()
    fields = record_fields(item, facts, checksum)
    values = tuple(
        json.dumps(fields[c]) if c in JSON_COLUMNS else fields[c] for c in RECORD_COLUMNS
    )
    holdings = [tuple(h[c] for c in HOLDING_COLUMNS) for h in holdings_of(item)]
    prepared = Prepared(
        position=item.position,
        offset=item.offset,
        local_id=local_id,
        checksum=checksum,
        active=not facts.deleted,
        values=values,
        holdings=holdings,  # type: ignore[arg-type]
        format=fields["format"],
        title=fields["title"],
        title_key=fields["title_key"],
        author=fields["author"],
        author_key=fields["author_key"],
        year=fields["year"],
        pages=fields["pages"],
        isbns=tuple(fields["isbns"]),
        issns=tuple(fields["issns"]),
        other_ids=tuple(fields["other_ids"]),
        subjects=tuple(fields["subjects"]),
        keys=frozenset(),
    )
    prepared.keys = frozenset(blocking_keys(prepared.match_info(0, 0)))
    if analyse:
        texts = document_texts(prepared.title, prepared.author, prepared.subjects)
        # Titles are mostly unique: analysed without filling the cache (authors and
        # subjects repeat, and stay cached).
        title, *others = texts
        analysed = [(title, analyse_once(title))] if title else []
        analysed += [(t, analyse_text(t)) for t in others if t]
        prepared.terms = tuple(analysed)
    return prepared


def prepare(
    batch: list[MarcItem], *, analyse: bool = False
) -> tuple[dict[str, Prepared], list[Problem]]:
    """Rows by local id (the later of two records with one 001 wins) and the problems.

    ``analyse``: also analyse the search text (worth it only in a worker process, whose
    results prime the writer's analysis cache).
    """
    rows: dict[str, Prepared] = {}
    items: dict[str, ParsedRecord] = {}
    problems: list[Problem] = []
    for item in batch:
        if isinstance(item, RecordProblem):
            problems.append(problem(item, item.reason, item.message))
            continue
        local_id = item.local_id or fallback_id(item)
        if len(local_id) > 100:
            problems.append(problem(item, "bad_001", "The 001 is longer than 100 characters."))
            continue
        try:
            facts = extract_facts(item.record)
        except Exception as exc:  # a parsed record whose fields defeat extraction
            problems.append(problem(item, "bad_fields", f"{type(exc).__name__}: {exc}"))
            continue
        if not item.local_id:
            item.warnings.append(f"no 001: stored under {local_id}")
        if local_id in items:
            if item.local_id:
                reason, what = "duplicate_001", "the same 001"
            else:  # neither has a 001: the same 035, or the same bytes (fallback_id)
                reason = "duplicate_no_001"
                same = "the same 035" if local_id.startswith("035:") else "identical content"
                what = f"no 001 either and {same}"
            problems.append(
                problem(
                    items[local_id],
                    reason,
                    f"Record {item.position} has {what}; the later record is kept "
                    "and this one is stored here only.",
                )
            )
        items[local_id] = item
        rows[local_id] = _prepared(item, local_id, facts, analyse)
    return rows, problems


# --- batches, here or in a worker process --------------------------------------------------------

PARALLEL_MIN_BYTES = 2_000_000  # smaller files: starting a worker costs more than it saves


@dataclass(slots=True)
class Batch:
    rows: dict[str, Prepared]
    problems: list[Problem]
    seen: int  # items read (rows + problems)
    last_offset: int  # where the batch's last record starts in the file


def batches(items: Iterator[MarcItem], size: int) -> Iterator[list[MarcItem]]:
    batch: list[MarcItem] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def prepare_batches(
    source: str | Path | BinaryIO, size: int, *, analyse: bool = False
) -> Iterator[Batch]:
    for batch in batches(read_marc(source), size):
        rows, problems = prepare(batch, analyse=analyse)
        yield Batch(rows, problems, len(batch), int(getattr(batch[-1], "offset", 0)))


class WorkerFailed(RuntimeError):
    pass


def _worker_env() -> dict[str, str]:
    """The worker finds this very ``libcoop`` first, whatever the current directory."""
    here = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (here, env.get("PYTHONPATH")) if p)
    return env


def prepared_batches(
    source: str | Path | BinaryIO,
    size: int,
    *,
    parallel: bool | None = None,
    analyse: bool = True,
) -> Iterator[Batch]:
    """The file's prepared batches, in order.

    A large file on disk is read and prepared by a worker process
    (``python -m libcoop.catalog.prepare_worker``) while the caller writes the previous
    batches (``parallel``: None decides by size; ``analyse``: the worker also analyses the
    search text, for ``index.prime``); the batches are the same. The pipe between
    them holds little, so the worker is never more than about a batch ahead: memory stays flat.
    """
    if parallel is None:
        parallel = (
            isinstance(source, str | Path)
            and (os.cpu_count() or 1) > 1
            and Path(source).stat().st_size >= PARALLEL_MIN_BYTES
        )
    if not parallel or not isinstance(source, str | Path):
        yield from prepare_batches(source, size)
        return
    worker = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [
            sys.executable,
            "-m",
            "libcoop.catalog.prepare_worker",
            str(source),
            str(size),
            "analyse" if analyse else "",
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        env=_worker_env(),
    )
    assert worker.stdout is not None
    try:
        while True:
            head = worker.stdout.read(8)
            if len(head) < 8:
                worker.wait()
                raise WorkerFailed(f"the import worker stopped (exit {worker.returncode})")
            # Our own child's output, on a pipe only we hold.
            kind, payload = pickle.loads(worker.stdout.read(int.from_bytes(head, "little")))  # noqa: S301
            if kind == "done":
                break
            if kind == "error":
                raise WorkerFailed(payload)
            yield payload
    finally:
        if worker.poll() is None:
            worker.kill()
        worker.stdout.close()
        worker.wait()


def work(path: str, size: int, channel: BinaryIO, *, analyse: bool = True) -> None:
    """The worker's side: prepared batches of *path*, pickled onto *channel*."""

    def send(message: tuple[str, Any]) -> None:
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        channel.write(len(data).to_bytes(8, "little"))
        channel.write(data)
        channel.flush()

    try:
        for batch in prepare_batches(path, size, analyse=analyse):
            send(("batch", batch))
        send(("done", None))
    except BaseException as exc:  # everything goes back to the writer, which raises it
        send(("error", f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}"))
