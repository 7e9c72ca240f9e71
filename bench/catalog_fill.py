"""A generated union catalog in the shape of real ingest output, for the search benchmark.

``write_files(works, folder)`` writes one MARC file per library. Works are half Thai, half
English: title words drawn with their frequency in the demo generator's hand-written
vocabulary (so การ, ห้องสมุด, of, history are common, as in real catalogues), often with a
subject-area phrase, authors from the demo name lists, a subject heading, a unique ISBN, a
year and a page count. Each work is held by one to eight of eight libraries (62 % by one,
about 1.6 records per work); later copies are catalogued a little differently (a subtitle,
an author's forename as an initial), as member libraries do.

Two ways to load the same files, which give the same catalog:

* ``ingest(files)``: the real import, ``import_file`` per library in library order, with
  matching and clustering;
* ``fast_fill(files)``: the import's own reading and preparing (``prepare.prepared_batches``,
  in its worker process: checks, facts, the record's columns, holdings), the same writes
  (``bulk``) and the same cluster and index refresh (``refresh_clusters``,
  ``index.refresh``), but each record's cluster is known from the generator (the 001 names
  the work) instead of being found by matching, clusters are refreshed and indexed once at
  the end instead of after every batch, and on PostgreSQL the GIN index is built once at
  the end instead of row by row. Match keys and decisions are not written (search never
  reads them).

``digest()`` summarises everything search reads (clusters, records, holdings, the search
index and the results of the benchmark queries); ``bench/search.py`` checks on a small size
in every run that both ways give the same digest.
"""

from __future__ import annotations

import hashlib
import json
import random
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pymarc import Field, Indicators, Leader, MARCWriter, Record, Subfield

DATA = Path(__file__).resolve().parents[1] / "src" / "libcoop" / "catalog" / "demo" / "data"
# Eight libraries, larger ones hold more; two networks for the network facet.
LIBRARIES = ("BENCH-L1", "BENCH-L2", "BENCH-L3", "BENCH-L4", "BENCH-L5", "BENCH-L6", "BENCH-L7")
LIBRARIES += ("BENCH-L8",)
LIBRARY_WEIGHTS = (30, 20, 15, 10, 8, 7, 6, 4)
NETWORKS = {
    "BENCH-NORTH": ("BENCH-L1", "BENCH-L2", "BENCH-L5", "BENCH-L6"),
    "BENCH-ALL": LIBRARIES,
}
HOLDERS = ((1, 62), (2, 20), (3, 10), (4, 5), (5, 2), (8, 1))  # libraries per work, weight


def _load(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def _word_counts() -> tuple[dict[str, int], dict[str, int]]:
    """Every word of the demo vocabulary with how often the vocabulary uses it."""
    thai: dict[str, int] = {}
    english: dict[str, int] = {}

    def collect(node: object) -> None:
        if isinstance(node, dict):
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)
        elif isinstance(node, str):
            for word in node.replace("|", " ").split():
                word = word.strip(".,:;()[]{}")
                if len(word) < 2:
                    continue
                if "\u0e00" <= word[0] <= "\u0e7f":
                    thai[word] = thai.get(word, 0) + 1
                elif word.isalpha() and word.isascii():
                    english[word.lower()] = english.get(word.lower(), 0) + 1

    for name in ("demo_vocab_th.json", "demo_vocab_en.json", "demo_domains.json"):
        collect(_load(name))
    return thai, english


@dataclass(frozen=True)
class Vocabulary:
    th_words: tuple[str, ...]
    th_weights: tuple[int, ...]
    en_words: tuple[str, ...]
    en_weights: tuple[int, ...]
    domains: tuple[dict[str, Any], ...]
    domain_weights: tuple[float, ...]
    th_names: tuple[tuple[str, ...], tuple[str, ...]]
    en_names: tuple[tuple[str, ...], tuple[str, ...]]


def vocabulary() -> Vocabulary:
    thai, english = _word_counts()
    th_vocab, en_vocab = _load("demo_vocab_th.json"), _load("demo_vocab_en.json")
    domains = tuple(_load("demo_domains.json")["domains"].values())
    return Vocabulary(
        th_words=tuple(sorted(thai)),
        th_weights=tuple(thai[w] for w in sorted(thai)),
        en_words=tuple(sorted(english)),
        en_weights=tuple(english[w] for w in sorted(english)),
        domains=domains,
        domain_weights=tuple(float(d["weight"]) for d in domains),
        th_names=(tuple(th_vocab["forenames"]), tuple(th_vocab["surnames"])),
        en_names=(tuple(en_vocab["forenames"]), tuple(en_vocab["surnames"])),
    )


@dataclass(frozen=True)
class Work:
    number: int
    thai: bool
    title: str
    subtitle: str
    forename: str
    surname: str
    subject: str
    year: int
    pages: int
    holders: tuple[int, ...]  # library indexes, ascending


def isbn13(n: int) -> str:
    body = f"978{n:09d}"
    total = sum((1 if i % 2 == 0 else 3) * int(d) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def works(count: int, seed: int = 7) -> Iterator[Work]:
    vocab = vocabulary()
    rng = random.Random(seed)
    sizes = [k for k, _ in HOLDERS]
    size_weights = [w for _, w in HOLDERS]
    libraries = list(range(len(LIBRARIES)))
    for n in range(count):
        thai = n % 2 == 0
        domain = rng.choices(vocab.domains, vocab.domain_weights)[0]
        if thai:
            words = rng.choices(vocab.th_words, vocab.th_weights, k=rng.randint(2, 5))
            if rng.random() < 0.5:
                words.insert(rng.randint(0, len(words)), rng.choice(domain["th"]).replace("|", ""))
            title = "".join(words)
            subtitle = "".join(rng.choices(vocab.th_words, vocab.th_weights, k=2))
            forename, surname = rng.choice(vocab.th_names[0]), rng.choice(vocab.th_names[1])
            subject = domain["subject_th"]
        else:
            words = rng.choices(vocab.en_words, vocab.en_weights, k=rng.randint(2, 6))
            if rng.random() < 0.5:
                words.insert(rng.randint(0, len(words)), rng.choice(domain["en"]))
            title = " ".join(words).capitalize()
            subtitle = " ".join(rng.choices(vocab.en_words, vocab.en_weights, k=2))
            forename, surname = rng.choice(vocab.en_names[0]), rng.choice(vocab.en_names[1])
            subject = domain["subject_en"]
        held = rng.choices(sizes, size_weights)[0]
        holders: set[int] = set()
        while len(holders) < held:
            holders.add(rng.choices(libraries, LIBRARY_WEIGHTS)[0])
        yield Work(
            number=n,
            thai=thai,
            title=title,
            subtitle=subtitle,
            forename=forename,
            surname=surname,
            subject=subject,
            year=rng.randint(1975, 2025),
            pages=rng.randint(40, 900),
            holders=tuple(sorted(holders)),
        )


def local_id(library: int, work: int) -> str:
    return f"{chr(ord('a') + library)}{work:08d}"


def work_of(local: str) -> int:
    return int(local[1:])


def record_for(work: Work, library: int, copy: int) -> Record:
    """The copy of *work* that library *library* catalogued (copy 0: the first library's)."""
    variant = random.Random(work.number * 16 + library)
    r = Record(force_utf8=True)
    r.leader = Leader("00000nam a2200000 i 4500")
    lang = "tha" if work.thai else "eng"
    r.add_field(Field(tag="001", data=local_id(library, work.number)))
    r.add_field(Field(tag="008", data=f"200101s{work.year}    th a          000 0 {lang} d"))
    r.add_field(
        Field(
            tag="020",
            indicators=Indicators(" ", " "),
            subfields=[Subfield("a", isbn13(work.number))],
        )
    )
    if work.thai:
        author = f"{work.forename} {work.surname}"
    elif copy and variant.random() < 0.15:
        author = f"{work.surname}, {work.forename[0]}."
    else:
        author = f"{work.surname}, {work.forename}."
    r.add_field(
        Field(
            tag="100",
            indicators=Indicators("0" if work.thai else "1", " "),
            subfields=[Subfield("a", author)],
        )
    )
    title = [Subfield("a", work.title + " /")]
    if copy and variant.random() < 0.2:
        title = [Subfield("a", work.title + " :"), Subfield("b", work.subtitle + " /")]
    r.add_field(Field(tag="245", indicators=Indicators("1", "0"), subfields=title))
    r.add_field(
        Field(
            tag="264",
            indicators=Indicators(" ", "1"),
            subfields=[
                Subfield("a", "กรุงเทพฯ :" if work.thai else "Bangkok :"),
                Subfield("b", "สำนักพิมพ์," if work.thai else "Press,"),
                Subfield("c", str(work.year + 543 if work.thai else work.year)),
            ],
        )
    )
    r.add_field(
        Field(
            tag="300",
            indicators=Indicators(" ", " "),
            subfields=[Subfield("a", f"{work.pages} p.")],
        )
    )
    r.add_field(
        Field(
            tag="650",
            indicators=Indicators(" ", "4" if work.thai else "0"),
            subfields=[Subfield("a", work.subject + ".")],
        )
    )
    r.add_field(
        Field(
            tag="949",
            indicators=Indicators(" ", " "),
            subfields=[
                Subfield("a", f"Z{variant.randint(1, 999)}"),
                Subfield("i", f"3{library}{work.number:08d}"),
            ],
        )
    )
    return r


def write_files(count: int, folder: Path, seed: int = 7) -> tuple[list[Path], int]:
    """One MARC file per library (in LIBRARIES order); returns the files and the records."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{code}.mrc" for code in LIBRARIES]
    handles = [open(p, "wb") for p in paths]  # noqa: SIM115 - closed below
    writers = [MARCWriter(h) for h in handles]
    records = 0
    try:
        for work in works(count, seed):
            for copy, library in enumerate(work.holders):
                writers[library].write(record_for(work, library, copy))
                records += 1
    finally:
        for h in handles:
            h.close()
    return paths, records


# --- loading ------------------------------------------------------------------------------------


def libraries() -> list[Any]:
    """The bench libraries and networks (created once), in LIBRARIES order."""
    from libcoop.network.models import (
        Institution,
        InstitutionKind,
        Membership,
        MembershipRole,
        Network,
        NetworkKind,
    )

    out = []
    for code in LIBRARIES:
        lib, _ = Institution.objects.get_or_create(
            code=code,
            defaults={"kind": InstitutionKind.UNIVERSITY_LIBRARY, "name_en": f"Library {code}"},
        )
        out.append(lib)
    by_code = {lib.code: lib for lib in out}
    for code, members in NETWORKS.items():
        network, _ = Network.objects.get_or_create(
            code=code, defaults={"kind": NetworkKind.NETWORK, "name_en": code}
        )
        for member in members:
            Membership.objects.get_or_create(
                institution=by_code[member],
                network=network,
                defaults={"role": MembershipRole.MEMBER},
            )
    return out


def ingest(paths: list[Path]) -> None:
    """The real import, one library after the other."""
    from libcoop.catalog.ingest import import_file
    from libcoop.network.abilities import SYSTEM

    for path, library in zip(paths, libraries(), strict=True):
        import_file(path, library, acting_user=SYSTEM)


FILL_BATCH = 2000


def empty_clusters(count: int) -> list[int]:
    """Create *count* empty clusters, filled later by ``merged.refresh_clusters`` in other
    transactions (an import instead reserves ids and writes each cluster once); their ids."""
    from django.db import connection

    from libcoop.catalog import bulk
    from libcoop.catalog.models import Cluster

    if count <= 0:
        return []
    now = bulk.now_value()
    sql = (
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %s)"  # noqa: S608
        f" INSERT INTO {bulk.table(Cluster)} (created, updated, active, title, title_sort,"
        " author, year, format, language, isbn, record_count, library_count, merged)"
        " SELECT %s, %s, TRUE, '', '', '', NULL, '', '', '', 0, 0, '{}' FROM n RETURNING id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [count, now, now])
        return sorted(row[0] for row in cursor.fetchall())


def fast_fill(paths: list[Path], works_count: int) -> dict[str, float]:
    """The catalog ``ingest`` would build, without matching; returns phase timings."""
    import time

    from django.db import connection, transaction

    from libcoop.catalog import bulk, index
    from libcoop.catalog.merged import refresh_clusters
    from libcoop.catalog.models import BibRecord, Cluster, Holding
    from libcoop.catalog.prepare import HOLDING_COLUMNS, RECORD_COLUMNS, prepared_batches
    from libcoop.textsearch.backends import backend_for

    timings: dict[str, float] = {}
    start = time.perf_counter()
    libs = libraries()
    cluster_of = array("q", bytes(8 * works_count))  # work number -> cluster id (0: none yet)
    postgres = connection.vendor == "postgresql"
    if postgres:  # build the text index once at the end, as a restore would
        with connection.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS textsearch_document_terms")
    columns = ["library", "local_id", "active", "cluster", "created", "updated", *RECORD_COLUMNS]
    table = bulk.table(BibRecord)
    for path, library in zip(paths, libs, strict=True):
        # The import's own reading and preparing (in its worker process), batch by batch.
        for batch in prepared_batches(path, FILL_BATCH, parallel=True, analyse=False):
            if batch.problems:
                raise ValueError(f"generated record rejected: {batch.problems[0].message}")
            rows = list(batch.rows.values())
            with transaction.atomic():
                new_works = list(
                    dict.fromkeys(
                        w for w in (work_of(r.local_id) for r in rows) if not cluster_of[w]
                    )
                )
                for w, cid in zip(new_works, empty_clusters(len(new_works)), strict=True):
                    cluster_of[w] = cid
                now = bulk.now_value()
                bulk.insert(
                    BibRecord,
                    columns,
                    [
                        (
                            library.pk,
                            r.local_id,
                            r.active,
                            cluster_of[work_of(r.local_id)],
                            now,
                            now,
                            *r.values,
                        )
                        for r in rows
                    ],
                )
                ids = dict(
                    bulk.select(
                        f"SELECT local_id, id FROM {table}"  # noqa: S608
                        " WHERE local_id {ids} AND library_id = %s",
                        [r.local_id for r in rows],
                        library.pk,
                        texts=True,
                    )
                )
                bulk.insert(
                    Holding,
                    ["record", "library", *HOLDING_COLUMNS],
                    [(ids[r.local_id], library.pk, *h) for r in rows for h in r.holdings],
                )
    timings["records_s"] = time.perf_counter() - start
    start = time.perf_counter()
    ids = list(Cluster.objects.order_by("id").values_list("id", flat=True))
    for base in range(0, len(ids), FILL_BATCH):
        with transaction.atomic():
            index.refresh(refresh_clusters(ids[base : base + FILL_BATCH]))
    timings["clusters_and_index_s"] = time.perf_counter() - start
    if postgres:
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            backend_for(connection).install()
            cursor.execute("RESET maintenance_work_mem")
        timings["gin_index_s"] = time.perf_counter() - start
    return timings


# --- what search reads ---------------------------------------------------------------------------


def digest(queries: dict[str, list[tuple[str | None, str]]]) -> dict[str, Any]:
    """Hashes (and counts) of everything search reads, and of the benchmark queries' results."""
    from django.db import connection

    from libcoop.catalog.models import BibRecord, Cluster, Holding
    from libcoop.catalog.search import search

    def h(rows: Any) -> str:
        text = json.dumps(list(rows), ensure_ascii=False, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    out: dict[str, Any] = {
        "clusters": Cluster.objects.count(),
        "records": BibRecord.objects.count(),
    }
    out["cluster_rows"] = h(
        Cluster.objects.order_by("id").values_list(
            "id",
            "active",
            "title",
            "title_sort",
            "author",
            "year",
            "format",
            "language",
            "isbn",
            "record_count",
            "library_count",
            "merged",
        )
    )
    out["record_rows"] = h(
        BibRecord.objects.order_by("id").values_list(
            "id",
            "library__code",
            "local_id",
            "active",
            "cluster_id",
            "checksum",
            "raw_format",
            "source_encoding",
            "marc",
            "warnings",
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
    )
    out["holding_rows"] = h(
        Holding.objects.order_by("record_id", "id").values_list(
            "record_id", "library__code", "location", "call_number", "barcode", "note"
        )
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM textsearch_document ORDER BY doc_id")
        out["search_documents"] = h(tuple(map(str, row)) for row in cursor.fetchall())
        cursor.execute("SELECT identifier, doc_id FROM textsearch_identifier ORDER BY 1, 2")
        out["search_identifiers"] = h(cursor.fetchall())
    results = {}
    for kind, items in queries.items():
        for field, q in items:
            r = search(q, field=field)
            hits = [hit.as_json() for hit in r.hits]
            results[f"{kind}:{q}"] = f"{r.total}:" + h([r.total, r.facets, r.year_range, hits])
    out["search_results"] = results
    return out
