"""Deterministic demo union catalog, and a labelled set for measuring deduplication.

The demo needs what a real union catalog (like ThaiLIS UCTAL) receives: one MARC file per
member library, Thai and English books, the same book held by several libraries but
catalogued differently by each, and the traps that make clustering hard. Evaluating a
matcher needs the same data *with the answer*: ``truth.csv`` says which true work every
record describes, and ``pairwise_scores`` compares a clustering with it.

Everything comes from one ``random.Random(seed)`` and from word lists shipped in
``libcoop/catalog/demo/data`` (see its README.md for sources), so the same seed always gives
byte-identical files and the generator needs neither the network nor ``shared/``.

The pieces: ``works`` invents the works (and hard negatives), ``libraries`` holds
the library profiles, ``records`` writes one library's record of one work; this module
decides who holds what, numbers the records, and writes files, truth and scores.
"""

from __future__ import annotations

import csv
import random
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, TypedDict

from pymarc import Record

from libcoop.catalog.demo.libraries import LIBRARIES, LibraryProfile
from libcoop.catalog.demo.records import catalogue
from libcoop.catalog.demo.works import (
    LABELLED_OPTIONS,
    LAST_YEAR,
    GeneratorOptions,
    Work,
    build_works,
)

__all__ = [
    "LIBRARIES",
    "TRUTH_FILENAME",
    "DemoCatalog",
    "DemoRecord",
    "PairwiseScores",
    "build_catalog",
    "generate_demo_catalog",
    "generate_labelled_set",
    "pairwise_scores",
    "read_truth",
    "summarise",
    "write_catalog",
]

TRUTH_FILENAME = "truth.csv"
DEMO_SEED, DEMO_WORKS = 2562, 1500  # 2562 BE = 2019 CE
LABELLED_SEED, LABELLED_WORKS = 2563, 2400

RecordKey = tuple[str, str]  # (library_code, local_id = 001)


@dataclass(frozen=True)
class DemoRecord:
    """One generated record with its true work and the variants written into it."""

    library: str
    local_id: str
    work_id: str
    record: Record
    variants: frozenset[str]


@dataclass(frozen=True)
class DemoCatalog:
    """The true works and every library's records of them, in file order."""

    works: list[Work]
    records: list[DemoRecord]

    def truth(self) -> dict[RecordKey, str]:
        return {(r.library, r.local_id): r.work_id for r in self.records}


# --------------------------------------------------------------------------- holdings


def _sample(
    rng: random.Random, libs: list[LibraryProfile], weights: list[float], k: int
) -> list[LibraryProfile]:
    """``k`` distinct libraries, weighted: no library can hold a work twice."""
    pool, pool_weights, chosen = list(libs), list(weights), []
    for _ in range(min(k, len(pool))):
        i = rng.choices(range(len(pool)), weights=pool_weights)[0]
        chosen.append(pool.pop(i))
        pool_weights.pop(i)
    return chosen


def _holdings(
    rng: random.Random,
    works: list[Work],
    libraries: Sequence[LibraryProfile],
    options: GeneratorOptions,
) -> dict[str, list[Work]]:
    """Which libraries hold each work: 1-5 of them, skewed to few, and by collection focus.

    Volumes of a set mostly sit in the same libraries, so a matcher that merges volume 1
    with volume 2 ends up with one library "holding" a work twice.
    """
    held: dict[str, list[Work]] = {lib.code: [] for lib in libraries}
    set_holders: dict[str, list[LibraryProfile]] = {}
    counts = range(1, len(options.holdings_weights) + 1)
    for work in works:
        k = rng.choices(counts, weights=options.holdings_weights)[0]
        if work.kind == "serial":
            k = max(k, 2)
        if work.volume and work.family in set_holders:
            first = set_holders[work.family]
            chosen = [lib for lib in first if rng.random() < 0.85] or first[:1]
        else:
            weights = [lib.weight * dict(lib.affinity).get(work.domain, 1.0) for lib in libraries]
            chosen = _sample(rng, list(libraries), weights, k)
            if work.volume:
                set_holders[work.family] = chosen
        for lib in chosen:
            held[lib.code].append(work)
    return held


def _entered(rng: random.Random, work: Work) -> datetime:
    """When the library catalogued it: after publication, in the years its catalogue covers.

    Older books were (re)catalogued when the library's current system started, so their
    records date from 2008 on; a record made before 2013 is AACR2 rather than RDA.
    """
    first = max(work.year, 2008)
    year = rng.randint(first, min(first + 6, LAST_YEAR))
    return datetime(
        year, rng.randint(1, 12), rng.randint(1, 28), rng.randint(8, 17), rng.randint(0, 59)
    )


# --------------------------------------------------------------------------- build, write


def build_catalog(
    *,
    seed: int = DEMO_SEED,
    works: int = DEMO_WORKS,
    options: GeneratorOptions | None = None,
    libraries: Sequence[LibraryProfile] = LIBRARIES,
) -> DemoCatalog:
    """Generate works, holdings and records in memory (``generate_*`` write them out)."""
    options = options or GeneratorOptions()
    rng = random.Random(seed)
    all_works = build_works(rng, works, options)
    held = _holdings(rng, all_works, libraries, options)
    records: list[DemoRecord] = []
    for lib in libraries:
        batch = held[lib.code]
        rng.shuffle(batch)  # accession order is not the order of the works
        start = {"b{:07d}": 1_000_000, "{:09d}": 100_000, "{:08d}": 1_000_000}
        number = rng.randrange(
            start.get(lib.id_format, 10_000), 2 * start.get(lib.id_format, 40_000)
        )
        barcode = rng.randrange(10**7, 5 * 10**7)
        for work in batch:
            number += rng.randint(1, 40)
            copies = rng.choices((1, 2, 3), weights=(75, 18, 7))[0]
            barcodes = [f"{lib.barcode_prefix}{barcode + i:08d}" for i in range(copies)]
            barcode += copies + rng.randint(0, 25)
            local_id = lib.id_format.format(number)
            record, variants = catalogue(
                rng,
                work,
                lib,
                local_id=local_id,
                barcodes=barcodes,
                entered=_entered(rng, work),
                options=options,
            )
            records.append(DemoRecord(lib.code, local_id, work.work_id, record, variants))
    return DemoCatalog(all_works, records)


def write_catalog(catalog: DemoCatalog, out_dir: Path) -> dict[str, Path]:
    """One ISO 2709 file per library (``<CODE>.mrc``) plus ``truth.csv``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    chunks: dict[str, list[bytes]] = {}
    for item in catalog.records:
        chunks.setdefault(item.library, []).append(item.record.as_marc())
    paths: dict[str, Path] = {}
    for code, data in chunks.items():
        paths[code] = out_dir / f"{code}.mrc"
        paths[code].write_bytes(b"".join(data))
    with (out_dir / TRUTH_FILENAME).open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("library_code", "local_id", "work_id"))
        writer.writerows((r.library, r.local_id, r.work_id) for r in catalog.records)
    return paths


def generate_demo_catalog(
    out_dir: Path, *, seed: int = DEMO_SEED, works: int = DEMO_WORKS
) -> dict[str, Path]:
    """Write the demo union catalog (about 3,500 records from 8 libraries) to ``out_dir``.

    Returns ``{library_code: path}``; the ground truth is ``out_dir / "truth.csv"``.
    """
    return write_catalog(build_catalog(seed=seed, works=works), out_dir)


def generate_labelled_set(
    out_dir: Path, *, seed: int = LABELLED_SEED, works: int = LABELLED_WORKS
) -> dict[str, Path]:
    """Write an evaluation set (about 5,400 records) with more hard cases than the demo.

    Same generator, another seed, and ``LABELLED_OPTIONS``: twice the generic-title
    families, more editions and volumes, and ISBNs left out more often, so that precision
    and recall measure the matcher rather than ISBN lookup. Truth is in ``truth.csv``.
    """
    catalog = build_catalog(seed=seed, works=works, options=LABELLED_OPTIONS)
    return write_catalog(catalog, out_dir)


def read_truth(path: Path) -> dict[RecordKey, str]:
    """``truth.csv`` as ``{(library_code, local_id): work_id}``."""
    with path.open(encoding="utf-8", newline="") as handle:
        return {
            (row["library_code"], row["local_id"]): row["work_id"] for row in csv.DictReader(handle)
        }


# --------------------------------------------------------------------------- scoring


class PairwiseScores(TypedDict):
    precision: float
    recall: float
    f1: float
    true_pairs: int  # record pairs that describe the same work
    predicted_pairs: int  # record pairs put in the same cluster
    correct_pairs: int  # pairs that are both


@dataclass(frozen=True)
class _Unclustered:
    key: RecordKey


def _pairs(sizes: Counter[Any]) -> int:
    return sum(n * (n - 1) // 2 for n in sizes.values())


def pairwise_scores(
    truth: Mapping[RecordKey, str], predicted: Mapping[RecordKey, Hashable]
) -> PairwiseScores:
    """Pairwise precision, recall and F1 of a clustering against the truth.

    A pair of records counts as predicted when both sit in one cluster, as true when both
    describe one work. Counting goes through cluster sizes (n·(n-1)/2 per cell of the
    truth × prediction contingency table), so it is linear in the number of records.
    Records missing from ``predicted``, or with cluster ``None``, are singletons; records
    not in ``truth`` are ignored.
    With no predicted pairs precision is 1.0 (nothing wrongly merged); with no true pairs
    recall is 1.0.
    """
    labels: dict[RecordKey, Hashable] = {}
    for key in truth:
        label = predicted.get(key)
        labels[key] = _Unclustered(key) if label is None else label
    true_pairs = _pairs(Counter(truth.values()))
    predicted_pairs = _pairs(Counter(labels.values()))
    correct = _pairs(Counter((truth[key], labels[key]) for key in truth))
    precision = correct / predicted_pairs if predicted_pairs else 1.0
    recall = correct / true_pairs if true_pairs else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PairwiseScores(
        precision=precision,
        recall=recall,
        f1=f1,
        true_pairs=true_pairs,
        predicted_pairs=predicted_pairs,
        correct_pairs=correct,
    )


def summarise(catalog: DemoCatalog) -> dict[str, Any]:
    """Counts for reports: records per library, holdings spread, Thai share, variant rates."""
    holders = Counter(r.work_id for r in catalog.records)
    by_id = {w.work_id: w for w in catalog.works}
    thai = [r for r in catalog.records if by_id[r.work_id].lang == "tha"]
    variants = Counter(v for r in catalog.records for v in r.variants)
    total = len(catalog.records)
    return {
        "works": len(catalog.works),
        "records": total,
        "records_per_library": dict(Counter(r.library for r in catalog.records)),
        "works_by_holding_count": dict(sorted(Counter(holders.values()).items())),
        "thai_record_share": len(thai) / total if total else 0.0,
        "kinds": dict(Counter(w.kind for w in catalog.works)),
        "families": dict(Counter(w.family.split(":")[0] for w in catalog.works if w.family)),
        "variant_rates": {k: variants[k] / total for k in sorted(variants)},
        "thai_variant_rates": {
            k: sum(k in r.variants for r in thai) / len(thai)
            for k in ("thai:zwsp", "thai:pua", "thai:sara_am", "thai:digits")
        }
        if thai
        else {},
    }
