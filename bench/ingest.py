"""Ingest throughput and the catalog at that size, in one run per size and database.

For each size N (records of library A's file; library B's file, loaded first, shares ISBNs
and titles with the first tenth of A's, so matching has real work):

* **raw**: ``pymarc.MARCReader`` iterating the file - the baseline;
* **floor** (SQLite only): the least a union catalog must do with each record, built here in
  one process with no LibCoop code beyond the two key functions: parse, keep the raw bytes,
  two match keys (ISBN, normalised title + author), one FTS5 document of title and author,
  batched ``executemany`` in transactions of 2,000;
* **ingest**: LibCoop's import of the file (``import_file``: a first load of a large file,
  so its bulk load) - parse, check, facts, store, match, cluster, index - on the embedded
  SQLite or on PostgreSQL on the same machine (``pgdb``);
* then, on the catalog that ingest made: **search** latency (``search.measure``, the
  search benchmark's queries through ``catalog.search.search``), **OAI-PMH serving**
  (``libcoop serve``; ``ListRecords`` ``marc21`` pages from the start of the list and from its
  last tenth, ``LIBCOOP_BENCH_SERVE_RECORDS`` records each; the first page alone) and, on
  SQLite, **harvesting into a second instance** (its own database, ``interop.harvest``) the
  records of the list's last tenth (``from`` = the datestamp there).

Each phase runs in its own process, so that the peak RSS figures are its own (the import's
worker process, which reads and prepares the file while the importing process writes, is
reported beside it, with both processes' CPU time and the machine's load).
Run through ``bench/run.py ingest`` (``--size N[,N]``).
"""

from __future__ import annotations

import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from pymarc import Field, Indicators, Leader, MARCWriter, Record, Subfield


def _vocabulary() -> tuple[list[str], list[str]]:
    """Thai and English words from the demo generator's hand-written vocabulary."""
    data = Path(__file__).resolve().parents[1] / "src" / "libcoop" / "catalog" / "demo" / "data"
    thai: set[str] = set()
    english: set[str] = set()
    for name in ("demo_vocab_th.json", "demo_vocab_en.json", "demo_domains.json"):
        _collect(json.loads((data / name).read_text(encoding="utf-8")), thai, english)
    return sorted(thai), sorted(english)


def _collect(node: object, thai: set[str], english: set[str]) -> None:
    if isinstance(node, dict):
        for value in node.values():
            _collect(value, thai, english)
    elif isinstance(node, list):
        for value in node:
            _collect(value, thai, english)
    elif isinstance(node, str) and "{" not in node:
        for word in node.replace("|", " ").split():
            word = word.strip(".,:;()[]")
            if len(word) < 2:
                continue
            if "\u0e00" <= word[0] <= "\u0e7f":
                thai.add(word)
            elif word.isalpha():
                english.add(word.lower())


WORDS_TH, WORDS_EN = _vocabulary()

# Authors: "Author123, A." would be no name at all to the author key (the digits read as a
# date, "author" as a relator term), so every record would share one author key. Names are
# built from syllables instead: 4,000 English and 3,000 Thai headings, in catalogue form.
_SYLLABLES_EN = [
    "ka",
    "ri",
    "son",
    "ber",
    "lin",
    "to",
    "ma",
    "ne",
    "vel",
    "dor",
    "han",
    "kes",
    "mo",
    "ra",
    "ti",
    "wen",
    "gar",
    "lo",
    "su",
    "fer",
]
_GIVEN_TH = [
    "สมชาย",
    "สมศรี",
    "วิภา",
    "ประเสริฐ",
    "กนกวรรณ",
    "ธนพล",
    "อรุณี",
    "สุนทร",
    "พิมพ์ใจ",
    "ชัยวัฒน์",
    "นงลักษณ์",
    "วีระ",
    "ศิริพร",
    "อนุชา",
    "มาลี",
    "ปรีชา",
    "รัตนา",
    "สุรชัย",
    "จันทร์เพ็ญ",
    "บุญชัย",
    "อัมพร",
    "เกียรติ",
    "ดวงใจ",
    "ไพโรจน์",
    "สุภาพร",
    "ณรงค์",
    "วันเพ็ญ",
    "ธีระ",
    "ลำดวน",
    "กิตติ",
]
_FAMILY_TH = [
    "ใจดี",
    "ศรีสุข",
    "วงศ์ไทย",
    "แก้วมณี",
    "บุญมา",
    "ทองคำ",
    "สายสุวรรณ",
    "รักษ์ป่า",
    "ปัญญาดี",
    "มีสุข",
]


def _author(rng: random.Random, thai: bool) -> str:
    if thai:
        n = rng.randint(0, 2999)
        given, family = _GIVEN_TH[n % 30], _FAMILY_TH[(n // 30) % 10]
        return f"{given} {family}{'' if n < 300 else _SYLLABLE_TH[n // 300 % 10]}"
    n = rng.randint(0, 3999)
    s = _SYLLABLES_EN
    surname = (s[n % 20] + s[n // 20 % 20] + ("" if n < 400 else s[n // 400 % 20])).title()
    return f"{surname}, {'ABCDEFGHJK'[n % 10]}."


_SYLLABLE_TH = ["กุล", "วงศ์", "ชัย", "ศักดิ์", "สกุล", "พันธ์", "เดช", "ทอง", "สุข", "ศรี"]


def _isbn13(n: int) -> str:
    body = f"978616{n:06d}"[:12]
    total = sum((1 if i % 2 == 0 else 3) * int(d) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def make_file(path: Path, count: int, seed: int = 1) -> None:
    """A file of *count* book records: half Thai, half English. Two files with the same seed
    share their first records (ISBN, title, author): one library's file loaded first gives
    the other's matching real work."""
    rng = random.Random(seed)
    with open(path, "wb") as fh:
        writer = MARCWriter(fh)
        for i in range(count):
            thai = i % 2 == 0
            words = WORDS_TH if thai else WORDS_EN
            title = ("" if thai else " ").join(rng.choice(words) for _ in range(rng.randint(2, 5)))
            r = Record(force_utf8=True)
            r.leader = Leader("00000nam a2200000 i 4500")
            year = rng.randint(1990, 2024)
            r.add_field(Field(tag="001", data=f"b{i:08d}"))
            r.add_field(
                Field(
                    tag="008",
                    data=f"200101s{year}    th a          000 0 {'tha' if thai else 'eng'} d",
                )
            )
            r.add_field(
                Field(
                    tag="020",
                    indicators=Indicators(" ", " "),
                    subfields=[Subfield("a", _isbn13(i))],
                )
            )
            r.add_field(
                Field(
                    tag="100",
                    indicators=Indicators("1", " "),
                    subfields=[Subfield("a", _author(rng, thai))],
                )
            )
            r.add_field(
                Field(
                    tag="245",
                    indicators=Indicators("1", "0"),
                    subfields=[Subfield("a", title + " /")],
                )
            )
            r.add_field(
                Field(
                    tag="264",
                    indicators=Indicators(" ", "1"),
                    subfields=[
                        Subfield("a", "Bangkok :"),
                        Subfield("b", "Press,"),
                        Subfield("c", str(year)),
                    ],
                )
            )
            r.add_field(
                Field(
                    tag="300",
                    indicators=Indicators(" ", " "),
                    subfields=[Subfield("a", f"{rng.randint(50, 900)} p.")],
                )
            )
            r.add_field(
                Field(
                    tag="949",
                    indicators=Indicators(" ", " "),
                    subfields=[
                        Subfield("a", f"Z{rng.randint(1, 999)}"),
                        Subfield("i", f"39{i:08d}"),
                    ],
                )
            )
            writer.write(r)


def _peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def _cpu_seconds(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def phase_raw(path: str) -> dict[str, float]:
    from pymarc import MARCReader

    start = time.perf_counter()
    with open(path, "rb") as fh:
        n = sum(1 for _ in MARCReader(fh, to_unicode=True, force_utf8=True))
    seconds = time.perf_counter() - start
    return {"records": n, "seconds": seconds, "peak_rss_mb": _peak_rss_mb()}


FLOOR_BATCH = 2000


def phase_floor(path: str, database: str) -> dict[str, float]:
    """The minimal SQLite write (see the module's docstring)."""
    import sqlite3

    from pymarc import MARCReader

    from libcoop.textsearch.keys import author_key, title_key

    db = sqlite3.connect(database, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("CREATE TABLE record (id INTEGER PRIMARY KEY, local_id TEXT, raw BLOB)")
    db.execute("CREATE TABLE match_key (record_id INTEGER, key TEXT)")
    db.execute("CREATE INDEX match_key_key ON match_key (key)")
    db.execute("CREATE VIRTUAL TABLE doc USING fts5(title, author)")
    start = time.perf_counter()
    n = 0
    records: list[tuple[int, str, bytes]] = []
    keys: list[tuple[int, str]] = []
    docs: list[tuple[int, str, str]] = []

    def flush() -> None:
        db.execute("BEGIN")
        db.executemany("INSERT INTO record VALUES (?, ?, ?)", records)
        db.executemany("INSERT INTO match_key VALUES (?, ?)", keys)
        db.executemany("INSERT INTO doc (rowid, title, author) VALUES (?, ?, ?)", docs)
        db.execute("COMMIT")
        records.clear()
        keys.clear()
        docs.clear()

    with open(path, "rb") as fh:
        for record in MARCReader(fh, to_unicode=True, force_utf8=True):
            n += 1
            title = record.title or ""
            author = record.author or ""
            isbn = record.isbn or ""
            records.append((n, record["001"].data if record["001"] else "", record.as_marc()))
            keys.append((n, f"isbn:{isbn}"))
            keys.append((n, f"ta:{title_key(title)[:60]}|{author_key(author)[:40]}"))
            docs.append((n, title, author))
            if len(records) >= FLOOR_BATCH:
                flush()
    flush()
    seconds = time.perf_counter() - start
    db.close()
    return {"records": n, "seconds": seconds, "peak_rss_mb": _peak_rss_mb()}


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "libcoop.settings")
    import django

    django.setup()


def phase_ingest(path: str, other: str) -> dict[str, float]:
    _django()
    import logging

    from django.core.management import call_command

    from libcoop.catalog.ingest import import_file
    from libcoop.network.abilities import SYSTEM
    from libcoop.network.models import Institution, InstitutionKind

    logging.getLogger("libcoop.catalog.bulkload").setLevel(logging.INFO)
    logging.getLogger("libcoop.catalog.bulkload").addHandler(logging.StreamHandler(sys.stderr))
    call_command("migrate", verbosity=0)
    a, _ = Institution.objects.get_or_create(
        code="BENCH-A", defaults={"kind": InstitutionKind.UNIVERSITY_LIBRARY, "name_en": "A"}
    )
    b, _ = Institution.objects.get_or_create(
        code="BENCH-B", defaults={"kind": InstitutionKind.UNIVERSITY_LIBRARY, "name_en": "B"}
    )
    import_file(other, b, acting_user=SYSTEM)  # the other library's records to match against
    cpu = _cpu_seconds(resource.RUSAGE_SELF), _cpu_seconds(resource.RUSAGE_CHILDREN)
    load = os.getloadavg()
    start = time.perf_counter()
    job = import_file(path, a, acting_user=SYSTEM)
    seconds = time.perf_counter() - start
    return {
        "records": job.seen,
        "added": job.added,
        "seconds": seconds,
        "peak_rss_mb": _peak_rss_mb(),
        # The import's worker process (reading and preparing the file), if it used one.
        "worker_peak_rss_mb": _peak_rss_mb(resource.RUSAGE_CHILDREN),
        "cpu_writer_s": _cpu_seconds(resource.RUSAGE_SELF) - cpu[0],
        "cpu_worker_s": _cpu_seconds(resource.RUSAGE_CHILDREN) - cpu[1],
        "load_before": [round(x, 2) for x in load],
        "load_after": [round(x, 2) for x in os.getloadavg()],
    }


def phase_search() -> dict[str, object]:
    """The search benchmark's queries on the catalog the ingest made."""
    _django()
    import search  # beside this file
    from django.db import connection

    from libcoop.catalog.models import Cluster

    search._analyse(connection)
    result = search.measure(repeat=int(os.environ.get("LIBCOOP_BENCH_SEARCH_REPEAT", "10")))
    works = Cluster.objects.filter(active=True).count()
    return {
        "works": works,
        "keyword_p95_ms": result["all_keyword_queries"]["p95_ms"],
        "all_queries_p95_ms": result["all_queries"]["p95_ms"],
        "all_queries_p50_ms": result["all_queries"]["p50_ms"],
        "detail": result,
    }


def late_datestamp() -> str:
    """The datestamp ``LIBCOOP_BENCH_HARVEST_TAIL`` (default a tenth) from the end of the
    OAI-PMH list (seconds, UTC): where the serving rate "from the last tenth" starts, and
    what the harvest into a second instance takes."""
    from libcoop.catalog.models import Cluster

    tail = float(os.environ.get("LIBCOOP_BENCH_HARVEST_TAIL", "0.1"))
    count = Cluster.objects.count()
    stamp = Cluster.objects.order_by("updated", "id").values_list("updated", flat=True)[
        min(count - 1, int(count * (1 - tail)))
    ]
    return str(stamp.strftime("%Y-%m-%dT%H:%M:%SZ"))


def phase_serve(url: str, limit: int) -> dict[str, object]:
    _django()
    import harvest  # beside this file

    late = late_datestamp()
    start = time.perf_counter()
    import urllib.request

    with urllib.request.urlopen(f"{url}?verb=ListRecords&metadataPrefix=marc21") as r:  # noqa: S310
        r.read()
    first_page = time.perf_counter() - start
    head = harvest.fetch_only(url, limit, None)
    tail = harvest._from(url, late, limit)
    return {
        "late_datestamp": late,
        "first_page_s": round(first_page, 3),
        "start_rec_per_s": round(head["records"] / head["seconds"]),
        "last_tenth_rec_per_s": round(tail["records"] / tail["seconds"]),
        "records_each": limit,
    }


def phase_harvest(url: str, late: str) -> dict[str, object]:
    """Harvest the list from *late* on into this (second) instance."""
    _django()
    import datetime as dt

    import harvest  # beside this file

    from_date = dt.datetime.strptime(late, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    fetched = harvest._from(url, late, 0)
    harvested = harvest.harvest_into_b(url, None, from_date=from_date)
    return {
        "from": late,
        "fetch_only_rec_per_s": round(fetched["records"] / fetched["seconds"]),
        "harvested": harvested["records"],
        "harvest_status": harvested["status"],
        "harvest_rec_per_s": round(harvested["records"] / harvested["seconds"]),
    }


PG_NAME = "libcoop_bench_ingest"
OTHER_SHARE = 10  # library B's file: a tenth of A's size, the same first records


def _phase(env: dict[str, str], *args: str) -> dict[str, Any]:
    out = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, __file__, *args],
        env=env,
        capture_output=True,
        text=True,
    )
    sys.stderr.write(out.stderr[-3000:])
    if out.returncode:
        raise RuntimeError(f"phase {args[0]} failed: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _rate(phase: dict[str, Any]) -> float:
    return float(phase["records"]) / float(phase["seconds"])


def run(count: int, *, postgres: bool = False, extras: bool = True) -> dict[str, object]:
    """One size on the embedded SQLite, or (*postgres*) on a fresh PostgreSQL database
    (``pgdb``) on the same machine; with *extras*, then search, OAI-PMH serving and (SQLite)
    harvesting on the catalog the ingest made."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import harvest

    with tempfile.TemporaryDirectory() as tmp:
        path, other = Path(tmp) / "file.mrc", Path(tmp) / "other.mrc"
        make_file(path, count, seed=1)
        make_file(other, count // OTHER_SHARE, seed=1)  # same seed: shares ISBNs and titles
        home = Path(tmp) / "a"
        home.mkdir()
        env = dict(os.environ, LIBCOOP_HOME=str(home), LIBCOOP_CONN_MAX_AGE="0")
        env.pop("LIBCOOP_DATABASE_URL", None)
        env["PYTHONPATH"] = os.pathsep.join(
            [str(Path(__file__).resolve().parent), env.get("PYTHONPATH", "")]
        )
        if postgres:
            import pgdb  # beside this file

            env["LIBCOOP_DATABASE_URL"] = pgdb.create(f"{PG_NAME}_{count}")
        out: dict[str, Any] = {
            "records": count,
            "file_mb": round(path.stat().st_size / 1e6, 1),
            "database": "postgresql (same machine)" if postgres else "sqlite (embedded)",
        }
        try:
            raw = _phase(env, "raw", str(path))
            out["raw_pymarc_records_per_s"] = round(_rate(raw))
            out["raw_peak_rss_mb"] = round(raw["peak_rss_mb"], 1)
            if not postgres and os.environ.get("LIBCOOP_BENCH_FLOOR", "1") != "0":
                floor = _phase(env, "floor", str(path), str(Path(tmp) / "floor.sqlite3"))
                out["floor_records_per_s"] = round(_rate(floor))
                out["ratio_floor_to_raw"] = round(_rate(floor) / _rate(raw), 3)
            ingest = _phase(env, "ingest", str(path), str(other))
            out.update(
                {
                    "ingest_records_per_s": round(_rate(ingest)),
                    "ratio_ingest_to_raw": round(_rate(ingest) / _rate(raw), 3),
                    "ingest_peak_rss_mb": round(ingest["peak_rss_mb"], 1),
                    "ingest_worker_peak_rss_mb": round(ingest.get("worker_peak_rss_mb", 0), 1),
                    "ingest_cpu_seconds": {
                        "writer": round(ingest.get("cpu_writer_s", 0), 1),
                        "worker": round(ingest.get("cpu_worker_s", 0), 1),
                    },
                    "load": {
                        "before": ingest.get("load_before"),
                        "after": ingest.get("load_after"),
                    },
                }
            )
            if "floor_records_per_s" in out:
                out["ratio_ingest_to_floor"] = round(_rate(ingest) / out["floor_records_per_s"], 3)
            print(json.dumps(out), file=sys.stderr, flush=True)
            if extras:
                out["search"] = _phase(env, "search")
                server, url = harvest._serving(str(home), env=env)
                try:
                    limit = os.environ.get("LIBCOOP_BENCH_SERVE_RECORDS", "5000")
                    out["oai_serving"] = _phase(env, "serve", url, limit)
                    if not postgres:
                        home_b = Path(tmp) / "b"
                        home_b.mkdir()
                        env_b = dict(env, LIBCOOP_HOME=str(home_b))
                        env_b.pop("LIBCOOP_DATABASE_URL", None)
                        out["harvest"] = _phase(
                            env_b, "harvest", url, out["oai_serving"]["late_datestamp"]
                        )
                finally:
                    server.terminate()
                    server.wait(timeout=30)
        finally:
            if postgres:
                pgdb.drop(f"{PG_NAME}_{count}")
        print(json.dumps(out), file=sys.stderr, flush=True)
        return out


if __name__ == "__main__":
    phase = sys.argv[1]
    if phase == "raw":
        print(json.dumps(phase_raw(sys.argv[2])))
    elif phase == "floor":
        print(json.dumps(phase_floor(sys.argv[2], sys.argv[3])))
    elif phase == "ingest":
        print(json.dumps(phase_ingest(sys.argv[2], sys.argv[3])))
    elif phase == "search":
        print(json.dumps(phase_search()))
    elif phase == "serve":
        print(json.dumps(phase_serve(sys.argv[2], int(sys.argv[3]))))
    elif phase == "harvest":
        print(json.dumps(phase_harvest(sys.argv[2], sys.argv[3])))
