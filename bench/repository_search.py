"""Search latency of the digital collection (``repository.search``) at a size (100,000 items
by default: metadata plus 20 pages of text each), on SQLite and on PostgreSQL.

The collection is generated, not deposited: items, file rows and their text are written with
bulk inserts, and the search documents are built from text analysed once per distinct page
(on PostgreSQL the GIN indexes are built once at the end, as ``catalog_fill`` does).
The pages come from a pool of synthetic pages (Thai sentences made of the demo vocabulary,
some English pages), each item taking ``--pages`` of them, the last one followed by a line
of its own (a made-up Thai place name and a code that only that item has). The slices of
the pool's pages are analysed once and reused by every item that has the page; the run
checks on a sample of items that the documents are exactly ``search.documents`` analysed
(``composition_check``).

One item in five has restricted files (own institution or an embargo): their text goes to
the restricted index, as ``search.index_item`` puts it.

Each query is timed through ``search.search`` (what /repository/search/, the API and the CLI
run: both indexes for a signed-in reader, ranking, filters, facets over the hits and the
snippets of one page of 20) as an anonymous reader and as a patron of the largest library,
and through the public index's back end alone (top 20).

    python bench/repository_search.py [--size N] [--pages 20] [--page-chars 1500]
                                       [--databases sqlite,postgresql]

``bench/run.py repository_search`` runs it at ``LIBCOOP_BENCH_REPO_SEARCH_SIZE`` (100,000).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import catalog_fill
import pgdb

LIBRARIES = catalog_fill.LIBRARIES
LIBRARY_WEIGHTS = catalog_fill.LIBRARY_WEIGHTS
TYPES = ("thesis", "research_report", "article", "local_information", "archival_document")
TYPE_WEIGHTS = (50, 25, 12, 10, 3)
DISCIPLINES = (
    "สารสนเทศศาสตร์",
    "การจัดการสิ่งแวดล้อม",
    "เกษตรศาสตร์",
    "ประวัติศาสตร์ท้องถิ่น",
    "การศึกษา",
    "สาธารณสุขศาสตร์",
    "Computer Science",
    "Economics",
)
SYLLABLES = tuple("กขคงจฉชซญดตถทธนบปผพฟภมยรลวศสหอฮ")
VOWELS = ("า", "ิ", "ี", "ุ", "ู", "ะ", "ำ", "ึ")

QUERIES: dict[str, list[str]] = {
    "thai_common": ["การศึกษา", "ชุมชน", "ห้องสมุด"],
    "thai_specific": ["สิ่งแวดล้อม", "ภูมิปัญญา", "พลังงานทดแทน"],
    "thai_two_words": ["ห้องสมุด ชุมชน", "การจัดการ น้ำ"],
    "english": ["management", "library", "environmental policy"],
    "body_only_rare": [],  # filled with items' own place names at run time
}
FILTERED = [("ชุมชน", {"type": "thesis"}), ("library", {"year": "2015"})]


def _summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(1000 * statistics.median(ordered), 1),
        "p95_ms": round(1000 * ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))], 1),
        "max_ms": round(1000 * ordered[-1], 1),
    }


# --- text ---------------------------------------------------------------------------------------


def place_name(n: int) -> str:
    """A made-up Thai word only item ``n`` has (consonant + vowel syllables from n's digits)."""
    out = []
    for _ in range(4):
        n, c = divmod(n, len(SYLLABLES))
        n, v = divmod(n, len(VOWELS))
        out.append(SYLLABLES[c] + VOWELS[v])
    return "ฆ" + "".join(out)


def pool_pages(count: int, chars: int, seed: int = 11) -> list[str]:
    """Synthetic pages: four in five Thai (sentences without spaces between words, spaces
    between sentences, now and then an English term), one in five English."""
    vocab = catalog_fill.vocabulary()
    rng = random.Random(seed)
    pages = []
    for k in range(count):
        parts: list[str] = []
        length = 0
        thai = k % 5 != 4
        while length < chars:
            if thai:
                words = rng.choices(vocab.th_words, vocab.th_weights, k=rng.randint(4, 12))
                sentence = "".join(words)
                if rng.random() < 0.1:
                    sentence += " " + rng.choice(vocab.en_words)
            else:
                words = rng.choices(vocab.en_words, vocab.en_weights, k=rng.randint(8, 20))
                sentence = " ".join(words).capitalize() + "."
            parts.append(sentence)
            length += len(sentence) + 1
        pages.append(" ".join(parts))
    return pages


def titles(rng: random.Random, vocab: Any) -> tuple[str, str]:
    th = "".join(rng.choices(vocab.th_words, vocab.th_weights, k=rng.randint(3, 7)))
    en = " ".join(rng.choices(vocab.en_words, vocab.en_weights, k=rng.randint(3, 8))).title()
    return th, en


# --- fill ---------------------------------------------------------------------------------------


def fill(size: int, pages_per_item: int, page_chars: int, seed: int = 5) -> dict[str, Any]:
    """Write ``size`` items with their files' text and index them; seconds per phase."""
    from django.db import connection, transaction

    from libcoop.network.models import Institution, InstitutionKind
    from libcoop.repository import search
    from libcoop.repository.models import FileText, Item, ItemFile
    from libcoop.textsearch.backends import analysis, backend_for

    timings: dict[str, float] = {}
    start = time.perf_counter()
    vocab = catalog_fill.vocabulary()
    pool = pool_pages(max(200, min(2000, size // 20)), page_chars)
    pool_terms: list[Any] = []  # slices are analysed in composed_documents
    abstracts = pool_pages(300, 600, seed=13)
    abstract_terms = [analysis.analyse_text(a) for a in abstracts]
    _POOLS.update(pool=pool, pool_terms=pool_terms, abstracts=abstracts)
    timings["analyse_pool"] = time.perf_counter() - start

    institutions = [
        Institution.objects.get_or_create(
            code=code,
            defaults={
                "kind": InstitutionKind.UNIVERSITY_LIBRARY,
                "name_th": f"ห้องสมุดทดสอบ {code}",
                "name_en": f"Bench library {code}",
            },
        )[0]
        for code in LIBRARIES
    ]
    rng = random.Random(seed)
    public = backend_for(connection, name=search.PUBLIC_INDEX)
    restricted = backend_for(connection, name=search.RESTRICTED_INDEX)
    if connection.vendor == "postgresql":  # GIN built once at the end, as catalog_fill does
        with connection.cursor() as cursor:
            for name in (search.PUBLIC_INDEX, search.RESTRICTED_INDEX):
                cursor.execute(f"DROP INDEX IF EXISTS {name}_document_terms")
    phase = {"rows": 0.0, "compose": 0.0, "index": 0.0}
    batch = 500
    names_th, names_en = vocab.th_names, vocab.en_names
    for first in range(0, size, batch):
        t0 = time.perf_counter()
        items, chosen = [], []
        for n in range(first, min(size, first + batch)):
            th, en = titles(rng, vocab)
            level = rng.choices(("open", "institution", "embargo"), (80, 12, 8))[0]
            pages = [pool[i] for i in rng.sample(range(len(pool)), pages_per_item)]
            pages[-1] = f"{pages[-1]} พบที่{place_name(n)} รหัส bx{n}q"
            a = rng.randrange(len(abstracts))
            items.append(
                Item(
                    institution=rng.choices(institutions, LIBRARY_WEIGHTS)[0],
                    item_type=rng.choices(TYPES, TYPE_WEIGHTS)[0],
                    status="published",
                    title=th,
                    title_alternative=en,
                    creators=[
                        f"{rng.choice(names_th[0])} {rng.choice(names_th[1])}",
                        f"{rng.choice(names_en[1])}, {rng.choice(names_en[0])}",
                    ],
                    contributors=[{"name": rng.choice(names_th[0]), "role": "advisor"}],
                    abstract_th=abstracts[a],
                    keywords_th=rng.choices(vocab.th_words, vocab.th_weights, k=3),
                    keywords_en=rng.choices(vocab.en_words, vocab.en_weights, k=2),
                    language=rng.choice(("tha", "tha", "tha", "eng")),
                    year=rng.randint(1990, 2025),
                    discipline=rng.choice(DISCIPLINES),
                    access=level,
                    embargo_until=datetime.date(2040, 1, 1) if level == "embargo" else None,
                )
            )
            chosen.append((pages, a))
        with transaction.atomic():
            Item.objects.bulk_create(items)
            files = ItemFile.objects.bulk_create(
                [
                    ItemFile(
                        item=item,
                        sha256=f"{item.pk:064x}",
                        size=1,
                        kind="pdf",
                        content_type="application/pdf",
                        original_name="thesis.pdf",
                        pages=pages_per_item,
                        text_status="extracted",
                    )
                    for item in items
                ]
            )
            FileText.objects.bulk_create(
                [
                    FileText(file=f, pages=pages)
                    for f, (pages, _a) in zip(files, chosen, strict=True)
                ]
            )
            t1 = time.perf_counter()
            docs_public, docs_restricted = [], []
            for item, (pages, a) in zip(items, chosen, strict=True):
                meta, body = composed_documents(item, pages, pool, pool_terms, abstract_terms[a])
                docs_public.append(meta)
                (docs_public if item.access == "open" else docs_restricted).extend(body)
            t2 = time.perf_counter()
            public.index_analysed(docs_public)  # type: ignore[attr-defined]
            restricted.index_analysed(docs_restricted)  # type: ignore[attr-defined]
        t3 = time.perf_counter()
        phase["rows"] += t1 - t0
        phase["compose"] += t2 - t1
        phase["index"] += t3 - t2
    timings.update(phase)
    t0 = time.perf_counter()
    public.install()  # the GIN indexes again (PostgreSQL); nothing to do on SQLite
    restricted.install()
    timings["build_gin"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    timings["analyze"] = time.perf_counter() - t0
    return {k: round(v, 1) for k, v in timings.items()}


_POOLS: dict[str, Any] = {}  # the fill's pools, for the check
_CHUNK_TERMS: dict[str, Any] = {}  # analysed slices of the pool's pages, by text


def composed_documents(
    item: Any, pages: list[str], pool: list[str], pool_terms: list[Any], abstract_terms: Any
) -> tuple[Any, list[Any]]:
    """``search.documents(item, pages)`` analysed: the slices (``search.chunks``) of pool
    pages are analysed once for all items; a slice of an item's own (its last page with its
    line) is analysed for that item."""
    from libcoop.repository import search
    from libcoop.textsearch.backends import analysis

    if not _CHUNK_TERMS:
        for page in pool:
            for chunk in search.chunks([page]):
                _CHUNK_TERMS[chunk] = analysis.analyse_once(chunk)
    fields = search.metadata_fields(item)
    title, author, subject = (
        analysis.analyse_text(fields[f]) for f in ("title", "author", "subject")
    )
    base = item.pk * search.PARTS
    meta = analysis.AnalysedDocument(
        base, analysis._truncate([title, author, subject, abstract_terms]), ()
    )
    body = []
    for part, chunk in enumerate(search.chunks(pages), start=1):
        terms = _CHUNK_TERMS.get(chunk)
        if terms is None:
            terms = analysis.analyse_once(chunk)
        body.append(
            analysis.AnalysedDocument(
                base + part, analysis._truncate([title, author, subject, terms]), ()
            )
        )
    return meta, body


def composition_check(sample: int = 25) -> str:
    """Composed documents against ``search.documents`` analysed for real, on stored items."""
    from libcoop.repository import search
    from libcoop.repository.models import Item
    from libcoop.textsearch.backends import analysis

    pool, pool_terms, abstracts = _POOLS["pool"], _POOLS["pool_terms"], _POOLS["abstracts"]
    bad = 0
    for item in Item.objects.order_by("pk")[:sample]:
        pages = search.file_pages(item.pk)
        a = abstracts.index(item.abstract_th)
        fast_meta, fast_body = composed_documents(
            item, pages, pool, pool_terms, analysis.analyse_text(abstracts[a])
        )
        meta, body = search.documents(item, pages)
        real = [analysis.analyse_document(d) for d in (meta, *body)]
        if [fast_meta, *fast_body] != real:
            bad += 1
    return "identical" if not bad else f"DIFFERENT in {bad} of {sample} items"


# --- measure ------------------------------------------------------------------------------------


def measure(size: int, repeat: int) -> dict[str, Any]:
    from django.contrib.auth.models import AnonymousUser, User

    from libcoop.network.models import Institution, StaffProfile, StaffRole
    from libcoop.repository import search
    from libcoop.repository.models import Item
    from libcoop.textsearch.backends import backend_for

    rng = random.Random(3)
    first = Item.objects.order_by("pk").values_list("pk", flat=True)[0]
    open_items = list(Item.objects.filter(access="open").values_list("pk", flat=True))
    # made-up place names in the last page of three open items (the n-th item has place n)
    QUERIES["body_only_rare"] = [place_name(pk - first) for pk in rng.sample(open_items, 3)]
    patron = User.objects.create(username="bench-patron")
    StaffProfile.objects.create(
        user=patron, institution=Institution.objects.get(code=LIBRARIES[0]), role=StaffRole.PATRON
    )
    readers = {"anonymous": AnonymousUser(), "patron": patron}
    backend = backend_for(name=search.PUBLIC_INDEX)
    out: dict[str, Any] = {"load_before": [round(x, 2) for x in os.getloadavg()]}
    every: dict[str, list[float]] = {name: [] for name in readers}
    for kind, queries in QUERIES.items():
        row: dict[str, Any] = {}
        engine: list[float] = []
        for reader, user in readers.items():
            samples: list[float] = []
            totals = []
            for q in queries:
                result = search.search(q, user=user)  # warm
                for _ in range(repeat):
                    t = time.perf_counter()
                    result = search.search(q, user=user)
                    samples.append(time.perf_counter() - t)
                totals.append(result.total)
            row[reader] = {**_summary(samples), "totals": totals}
            every[reader] += samples
        for q in queries:
            for _ in range(repeat):
                t = time.perf_counter()
                backend.search(q, limit=20)
                engine.append(time.perf_counter() - t)
        row["public_backend_top20"] = _summary(engine)
        out[kind] = row
    filtered: list[float] = []
    for q, filters in FILTERED:
        search.search(q, filters=filters)
        for _ in range(repeat):
            t = time.perf_counter()
            search.search(q, filters=filters)
            filtered.append(time.perf_counter() - t)
    out["keyword_with_facet_filter"] = _summary(filtered)
    browse: list[float] = []
    for _ in range(repeat):
        t = time.perf_counter()
        search.search("", filters={"type": "thesis"})
        browse.append(time.perf_counter() - t)
    out["browse_by_type"] = _summary(browse)
    out["all_queries"] = {reader: _summary(s) for reader, s in every.items()}
    out["load_after"] = [round(x, 2) for x in os.getloadavg()]
    return out


def _index_size() -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database())")
        else:
            cursor.execute(
                "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
            )
        return {"database_mb": round(cursor.fetchone()[0] / 1e6)}


def child(size: int, pages: int, page_chars: int, repeat: int) -> dict[str, Any]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "libcoop.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from libcoop.repository.models import FileText, Item

    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    timings = fill(size, pages, page_chars)
    seconds = time.perf_counter() - start
    check = composition_check()
    return {
        "items": Item.objects.count(),
        "pages_of_text": pages * FileText.objects.count(),
        "page_chars": page_chars,
        "database": connection.vendor,
        "fill_seconds": round(seconds),
        "fill_phases_s": timings,
        "composition_check": check,
        **_index_size(),
        **measure(size, repeat),
    }


def _run_child(vendor: str, size: int, pages: int, page_chars: int, repeat: int) -> dict[str, Any]:
    env = dict(os.environ, LIBCOOP_CONN_MAX_AGE="0")
    env.pop("LIBCOOP_DATABASE_URL", None)
    name = f"libcoop_bench_repo_{size}"
    if vendor == "postgresql":
        try:
            env["LIBCOOP_DATABASE_URL"] = pgdb.create(name)
        except Exception as exc:  # no server: say so in the results
            return {"database": vendor, "skipped": str(exc)}
    try:
        with tempfile.TemporaryDirectory() as home:
            env["LIBCOOP_HOME"] = home
            out = subprocess.run(  # noqa: S603 - our own interpreter and script
                [
                    sys.executable,
                    __file__,
                    "--child",
                    "--size",
                    str(size),
                    "--pages",
                    str(pages),
                    "--page-chars",
                    str(page_chars),
                    "--repeat",
                    str(repeat),
                ],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
    finally:
        if vendor == "postgresql":
            pgdb.drop(name)
    if out.returncode:
        raise RuntimeError(f"{size} items on {vendor} failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def run(
    size: int = 100_000,
    pages: int = 20,
    page_chars: int = 1500,
    databases: tuple[str, ...] = ("sqlite", "postgresql"),
    repeat: int = 10,
) -> dict[str, Any]:
    runs = []
    for vendor in databases:
        result = _run_child(vendor, size, pages, page_chars, repeat)
        runs.append(result)
        print(json.dumps(result, ensure_ascii=False), file=sys.stderr, flush=True)
    return {"runs": runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--page-chars", type=int, default=1500)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.size, args.pages, args.page_chars, args.repeat)))
        return
    result = run(
        args.size, args.pages, args.page_chars, tuple(args.databases.split(",")), args.repeat
    )
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
