"""Deduplication quality: pairwise precision, recall and F1 of the clusters against the
ground truth of the labelled set (``catalog.demo.generate.generate_labelled_set``) and of the
real labelled pairs of ``shared/data/dedup/goldfinch-dev`` (``evaluate_goldfinch``).

Run through ``bench/run.py dedup`` (needs Django set up on a fresh database). Quick look at
the rules alone, without an import (pairs compared directly, a pair "same" when the records
share a blocking key and ``compare`` accepts; the full import also applies the cluster-wide
conflict checks): ``.venv/bin/python bench/dedup.py pairs [samples]``.
"""

from __future__ import annotations

import csv
import os
import random
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

GOLDFINCH = Path(
    os.environ.get(
        "LIBCOOP_DEDUP_GOLDFINCH",
        Path(__file__).resolve().parents[2] / "shared/data/dedup/goldfinch-dev",
    )
)
GOLDFINCH_DATA = (
    "goldfinch-dev (shared/data/dedup): real HathiTrust English monograph records from CDL's "
    "goldfinch 1.1 validation split (cdlib/marc-ai), anonymised, CC0; GFA and GFB imported as "
    "two libraries; scored over its labelled pairs"
)


def _labelled_pairs(folder: Path) -> list[tuple[str, str, str, str, bool]]:
    with (folder / "labelled_pairs.csv").open(newline="", encoding="utf-8") as handle:
        return [
            (r["library_a"], r["local_id_a"], r["library_b"], r["local_id_b"], r["label"] == "1")
            for r in csv.DictReader(handle)
            if r["library_a"] != r["library_b"]  # one library's records never cluster
        ]


def recall_ceiling(pairs: list[tuple[str, str, str, str, bool]]) -> float:
    """The highest pairwise recall any clustering can reach when a cluster holds at most one
    record of each library: the largest set of true pairs with no record in two of them (a
    maximum bipartite matching; HathiTrust sometimes joins two records of one pseudo-library
    with a third)."""
    edges: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for lib_a, id_a, lib_b, id_b, truth in pairs:
        if truth:
            edges[(lib_a, id_a)].append((lib_b, id_b))
    partner: dict[tuple[str, str], tuple[str, str]] = {}

    def augment(left: tuple[str, str], seen: set[tuple[str, str]]) -> bool:
        for right in edges[left]:
            if right in seen:
                continue
            seen.add(right)
            if right not in partner or augment(partner[right], seen):
                partner[right] = left
                return True
        return False

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20000))
    matched = sum(augment(left, set()) for left in list(edges))
    true_pairs = sum(1 for *_, truth in pairs if truth)
    return round(matched / true_pairs, 4) if true_pairs else 1.0


def _scores(outcomes: list[tuple[bool, bool]]) -> dict[str, Any]:
    tp = sum(1 for truth, predicted in outcomes if truth and predicted)
    fp = sum(1 for truth, predicted in outcomes if predicted and not truth)
    fn = sum(1 for truth, predicted in outcomes if truth and not predicted)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "pairs": len(outcomes),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "true_positives": tp,
        "false_positives": fp,
        "false_negatives": fn,
    }


def evaluate_goldfinch(folder: Path = GOLDFINCH) -> dict[str, Any]:
    """Import GFA and GFB as two libraries (fresh database, migrated) and score the pairs."""
    from django.core.management import call_command

    from libcoop.catalog.ingest import import_file
    from libcoop.catalog.models import BibRecord, MatchDecision
    from libcoop.network.abilities import SYSTEM
    from libcoop.network.models import Institution, InstitutionKind

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    for code in ("GFA", "GFB"):
        library, _ = Institution.objects.get_or_create(
            code=code, defaults={"kind": InstitutionKind.UNIVERSITY_LIBRARY, "name_en": code}
        )
        import_file(folder / f"{code}.mrc", library, acting_user=SYSTEM)
    seconds = time.perf_counter() - start
    rows = BibRecord.objects.filter(active=True, library__code__in=["GFA", "GFB"])
    cluster = {
        (c, lid): cid for c, lid, cid in rows.values_list("library__code", "local_id", "cluster_id")
    }
    outcomes = []
    missed: list[tuple[str, str]] = []
    pairs = _labelled_pairs(folder)
    for lib_a, id_a, lib_b, id_b, truth in pairs:
        a, b = cluster.get((lib_a, id_a)), cluster.get((lib_b, id_b))
        predicted = a is not None and a == b
        outcomes.append((truth, predicted))
        if truth != predicted:
            missed.append((id_a, id_b))
    rules = Counter(
        MatchDecision.objects.filter(record__library__code__in=["GFA", "GFB"]).values_list(
            "rule", flat=True
        )
    )
    # ``catalog rematch`` right after the import: the same rules, so it should change
    # (almost) nothing; its time is that of a rematch after a rule change.
    from libcoop.catalog.rematch import rematch

    start = time.perf_counter()
    report = rematch(acting_user=SYSTEM, dry_run=True)
    rematch_seconds = time.perf_counter() - start
    return {
        "data": GOLDFINCH_DATA,
        "records": len(cluster),
        "import_seconds": round(seconds, 1),
        **_scores(outcomes),
        "recall_ceiling": recall_ceiling(pairs),
        "rematch_dry_run": {
            "seconds": round(rematch_seconds, 1),
            **{k: v for k, v in report.as_json().items() if k != "libraries"},
        },
        "decisions_by_rule": dict(rules.most_common()),
        "errors": len(missed),
    }


def evaluate_goldfinch_pairs(folder: Path = GOLDFINCH, samples: int = 0) -> dict[str, Any]:
    """The inner loop: the match rules on the labelled pairs, without a database (seconds).

    A pair is predicted "same" when the two records share a blocking key and ``compare``
    accepts them; errors are counted by the verdict's rule, with *samples* examples each.
    """
    from libcoop.catalog.marc import read_marc
    from libcoop.catalog.matching import blocking_keys, compare
    from libcoop.catalog.prepare import prepare

    infos = {}
    for number, code in enumerate(("GFA", "GFB"), start=1):
        rows, _problems = prepare(list(read_marc(folder / f"{code}.mrc")))
        for index, (local_id, prepared) in enumerate(rows.items()):
            infos[(code, local_id)] = prepared.match_info(number * 1_000_000 + index, number)
    outcomes = []
    errors: dict[str, list[str]] = defaultdict(list)
    pairs = _labelled_pairs(folder)
    for lib_a, id_a, lib_b, id_b, truth in pairs:
        a, b = infos[(lib_a, id_a)], infos[(lib_b, id_b)]
        verdict = compare(a, b)
        blocked = bool(blocking_keys(a) & blocking_keys(b))
        predicted = verdict.match and blocked
        outcomes.append((truth, predicted))
        if truth != predicted:
            why = (
                verdict.rule
                if not verdict.match
                else ("no_shared_key" if not blocked else verdict.rule)
            )
            errors[("FN " if truth else "FP ") + why].append(
                f"{a.title_key[:70]} | {a.author_key} | {a.year} {a.pages}  <>  "
                f"{b.title_key[:70]} | {b.author_key} | {b.year} {b.pages}  {verdict.scores}"
            )
    rng = random.Random(1)
    return {
        **_scores(outcomes),
        "recall_ceiling": recall_ceiling(pairs),
        "errors_by_rule": {
            k: len(v) for k, v in sorted(errors.items(), key=lambda kv: -len(kv[1]))
        },
        "examples": {k: rng.sample(v, min(samples, len(v))) for k, v in sorted(errors.items())},
    }


def evaluate(works: int = 2400, seed: int = 42) -> dict[str, Any]:
    from django.core.management import call_command

    from libcoop.catalog.demo.generate import generate_labelled_set, pairwise_scores, read_truth
    from libcoop.catalog.ingest import import_file
    from libcoop.catalog.models import BibRecord
    from libcoop.network.abilities import SYSTEM
    from libcoop.network.models import Institution, InstitutionKind

    call_command("migrate", verbosity=0)
    with tempfile.TemporaryDirectory() as tmp:
        files = generate_labelled_set(Path(tmp), seed=seed, works=works)
        truth = read_truth(Path(tmp) / "truth.csv")
        start = time.perf_counter()
        for code, path in sorted(files.items()):
            library, _ = Institution.objects.get_or_create(
                code=code, defaults={"kind": InstitutionKind.UNIVERSITY_LIBRARY, "name_en": code}
            )
            import_file(path, library, acting_user=SYSTEM)
        seconds = time.perf_counter() - start
    predicted = {
        (code, lid): cid
        for code, lid, cid in BibRecord.objects.filter(active=True).values_list(
            "library__code", "local_id", "cluster_id"
        )
    }
    scores = pairwise_scores(truth, predicted)
    result: dict[str, Any] = {
        "data": (
            "labelled set generated by libcoop.catalog.demo.generate (held-out seed "
            f"{seed}, {works} works): real English records from the shared MARC samples and "
            "Thai works from hand-written vocabulary, each library's copy catalogued with "
            "realistic variation; ground truth = the generating work id"
        ),
        "records": len(predicted),
        "libraries": len(files),
        "import_seconds": round(seconds, 1),
        **{k: round(v, 4) if isinstance(v, float) else v for k, v in scores.items()},
    }
    if (GOLDFINCH / "labelled_pairs.csv").exists():
        result["goldfinch"] = evaluate_goldfinch()
    return result


def _main() -> None:
    """``pairs [samples]``: the rules alone; ``import`` / ``synthetic``: the full import path on
    a fresh database (SQLite in a temporary LIBCOOP_HOME unless LIBCOOP_DATABASE_URL is set)."""
    import json

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    mode = sys.argv[1] if len(sys.argv) > 1 else "pairs"
    if mode == "pairs":
        samples = int(sys.argv[2]) if len(sys.argv) > 2 else 0
        result = evaluate_goldfinch_pairs(samples=samples)
    else:
        import django

        os.environ.setdefault("LIBCOOP_HOME", tempfile.mkdtemp(prefix="libcoop-dedup-"))
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "libcoop.settings")
        django.setup()
        result = evaluate_goldfinch() if mode == "import" else evaluate(works=2400)
    print(json.dumps(result, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    _main()
