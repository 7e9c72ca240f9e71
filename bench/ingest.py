"""Ingest throughput: LibCoop's full import (parse, store, match, cluster, index) against raw
``pymarc.MARCReader`` iteration of the same file, each phase in its own process so that the
peak RSS figures are its own (the import's worker process, which reads and prepares the file
while the importing process writes, is reported beside it, with both processes' CPU time
and the machine's load). Run through ``bench/run.py ingest``.
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
    """A file of *count* book records: half Thai, half English, ~1/3 sharing an ISBN with
    a record of another library already loaded (so matching has real work)."""
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


def phase_ingest(path: str, other: str) -> dict[str, float]:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "libcoop.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from libcoop.catalog.ingest import import_file
    from libcoop.network.abilities import SYSTEM
    from libcoop.network.models import Institution, InstitutionKind

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


PG_NAME = "libcoop_bench_ingest"


def run(count: int, *, postgres: bool = False) -> dict[str, object]:
    """One size on the embedded SQLite, or (*postgres*) on a fresh PostgreSQL database
    (``pgdb``) on the same machine."""
    with tempfile.TemporaryDirectory() as tmp:
        path, other = Path(tmp) / "file.mrc", Path(tmp) / "other.mrc"
        make_file(path, count, seed=1)
        make_file(other, count // 3, seed=1)  # same seed: the first third shares ISBNs and titles
        env = dict(os.environ, LIBCOOP_HOME=tmp, LIBCOOP_CONN_MAX_AGE="0")
        env.pop("LIBCOOP_DATABASE_URL", None)
        if postgres:
            import pgdb  # beside this file

            env["LIBCOOP_DATABASE_URL"] = pgdb.create(PG_NAME)
        results = {}
        try:
            for phase, args in (("raw", [str(path)]), ("ingest", [str(path), str(other)])):
                out = subprocess.run(  # noqa: S603 - our own interpreter and script
                    [sys.executable, __file__, phase, *args],
                    env=env,
                    capture_output=True,
                    text=True,
                    check=True,
                )
                results[phase] = json.loads(out.stdout.strip().splitlines()[-1])
        finally:
            if postgres:
                pgdb.drop(PG_NAME)
        raw, ingest = results["raw"], results["ingest"]
        return {
            "records": count,
            "file_mb": round(path.stat().st_size / 1e6, 1),
            "database": "postgresql (same machine)" if postgres else "sqlite (embedded)",
            "raw_pymarc_records_per_s": round(raw["records"] / raw["seconds"]),
            "ingest_records_per_s": round(ingest["records"] / ingest["seconds"]),
            "ratio_ingest_to_raw": round(
                (ingest["records"] / ingest["seconds"]) / (raw["records"] / raw["seconds"]), 3
            ),
            "raw_peak_rss_mb": round(raw["peak_rss_mb"], 1),
            "ingest_peak_rss_mb": round(ingest["peak_rss_mb"], 1),
            "ingest_worker_peak_rss_mb": round(ingest.get("worker_peak_rss_mb", 0), 1),
            "ingest_cpu_seconds": {
                "writer": round(ingest.get("cpu_writer_s", 0), 1),
                "worker": round(ingest.get("cpu_worker_s", 0), 1),
            },
            "load": {"before": ingest.get("load_before"), "after": ingest.get("load_after")},
        }


if __name__ == "__main__":
    phase = sys.argv[1]
    if phase == "raw":
        print(json.dumps(phase_raw(sys.argv[2])))
    elif phase == "ingest":
        print(json.dumps(phase_ingest(sys.argv[2], sys.argv[3])))
