"""Full-text indexing throughput of the digital collection, in pages per second of text PDFs:
LibCoop's path (``extract.extract_file``: PDFium's text of each page through pypdfium2,
normalised through ``textsearch.thai``, kept as ``FileText``; then ``search.index_item``:
segmentation, n-grams and the back end's index) against the PDF library's own extraction of
the same files in the same run (pypdfium2 ``get_text_range`` of every page; pypdf's
``extract_text`` too, the library measured against it for Thai).

The PDFs are Thai theses generated for the run (``repository.demo_pdfs``, WeasyPrint with
Sarabun; distinct text on every page, about 1,500 characters a page), deposited and published
through ``services`` before the clock starts. Each measure is the best of three passes.

Run through ``bench/run.py repository_index`` (``LIBCOOP_BENCH_REPO_INDEX_DOCS``,
``LIBCOOP_BENCH_REPO_INDEX_PAGES``, ``LIBCOOP_BENCH_REPO_INDEX_DATABASES``) or alone:
``python bench/repository_index.py --docs 10 --pages 20``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pgdb

WORDS = [
    "การจัดการ",
    "น้ำเสีย",
    "ชุมชน",
    "ริมแม่น้ำกก",
    "เชียงราย",
    "ห้องสมุด",
    "สีเขียว",
    "พลังงาน",
    "ไฟฟ้า",
    "ประหยัด",
    "ผู้ใหญ่บ้าน",
    "ชาวบ้าน",
    "ร่วมมือ",
    "งบประมาณ",
    "องค์การบริหารส่วนตำบล",
    "ภูมิปัญญา",
    "ท้องถิ่น",
    "ล้านนา",
    "ผ้าทอมือ",
    "ไทลื้อ",
    "เชียงของ",
    "นักศึกษา",
    "ปริญญาโท",
    "วิทยานิพนธ์",
    "สารสนเทศ",
    "ฐานข้อมูล",
    "การค้นหา",
    "บรรณารักษ์",
    "ขยะพลาสติก",
    "การคัดแยก",
    "รีไซเคิล",
    "แบบสอบถาม",
    "ผลการวิจัย",
    "พบว่า",
    "ส่วนใหญ่",
    "ควร",
    "ส่งเสริม",
    "การมีส่วนร่วม",
    "คุณภาพน้ำ",
    "ฤดูแล้ง",
    "ฤดูฝน",
    "เกษตรกร",
    "ป่าชุมชน",
    "อนุรักษ์",
    "ประวัติศาสตร์",
]


def page_text(rng: random.Random, chars: int = 1500) -> str:
    out: list[str] = []
    size = 0
    while size < chars:
        sentence = "".join(rng.choice(WORDS) for _ in range(rng.randint(4, 9)))
        out.append(sentence)
        size += len(sentence) + 1
    return " ".join(out)


def make_pdfs(docs: int, pages: int) -> list[bytes]:
    from libcoop.repository import demo_pdfs

    rng = random.Random(15)
    return [
        demo_pdfs.text_pdf(
            f"วิทยานิพนธ์ทดสอบ ฉบับที่ {d + 1}",
            [page_text(rng) for _ in range(pages)],
            page_breaks=range(1, pages),
        )
        for d in range(docs)
    ]


def best_of(passes: int, fn: Callable[[], int]) -> tuple[float, int]:
    """(best seconds, pages) over *passes* runs of *fn* (which returns the pages it did)."""
    best, pages = float("inf"), 0
    for _ in range(passes):
        start = time.perf_counter()
        pages = fn()
        best = min(best, time.perf_counter() - start)
    return best, pages


def pypdf_only(pdfs: list[bytes]) -> int:
    from pypdf import PdfReader

    pages = 0
    for data in pdfs:
        for page in PdfReader(io.BytesIO(data)).pages:
            page.extract_text()
            pages += 1
    return pages


def pdfium_only(pdfs: list[bytes]) -> int:
    import pypdfium2 as pdfium

    pages = 0
    for data in pdfs:
        document = pdfium.PdfDocument(data)
        for i in range(len(document)):
            document[i].get_textpage().get_text_range()
            pages += 1
        document.close()
    return pages


def deposit(pdfs: list[bytes]) -> list[Any]:
    from libcoop.network.abilities import SYSTEM
    from libcoop.network.loader import load_provinces, load_registry
    from libcoop.network.models import Institution
    from libcoop.repository import services
    from libcoop.repository.models import ItemFile

    load_provinces()
    load_registry()
    library = Institution.objects.get(code="MFU-LIB")
    for n, data in enumerate(pdfs):
        item = services.create_item(
            library,
            {"title": f"วิทยานิพนธ์ทดสอบ ฉบับที่ {n + 1}", "item_type": "thesis", "year": "2566"},
            [services.Upload(name=f"thesis-{n + 1}.pdf", data=data)],
            acting_user=SYSTEM,
        )
        services.publish_through(item, acting_user=SYSTEM)
    return list(ItemFile.objects.order_by("pk"))


def child(docs: int, pages: int) -> dict[str, Any]:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "libcoop.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from libcoop.repository import extract, search

    call_command("migrate", verbosity=0, interactive=False)
    start = time.perf_counter()
    pdfs = make_pdfs(docs, pages)
    generated = time.perf_counter() - start
    files = deposit(pdfs)

    pypdf_s, total = best_of(1, lambda: pypdf_only(pdfs))  # slow: one pass
    pdfium_s, _ = best_of(3, lambda: pdfium_only(pdfs))
    phases = {"extract": 0.0, "index": 0.0}

    def libcoop() -> int:
        done = 0
        phases["extract"] = phases["index"] = 0.0
        for f in files:
            t0 = time.perf_counter()
            found = extract.extract_file(f)
            t1 = time.perf_counter()
            search.index_item(f.item_id)
            phases["extract"] += t1 - t0
            phases["index"] += time.perf_counter() - t1
            done += len(found.pages) if found else 0
        return done

    best, best_phases = float("inf"), {}
    for _ in range(3):
        seconds, indexed = best_of(1, libcoop)
        if seconds < best:
            best, best_phases = seconds, dict(phases)
    assert indexed == total, (indexed, total)
    hits = search.search(WORDS[0], user=None).total

    def rate(seconds: float) -> float:
        return round(total / seconds, 1)

    return {
        "database": connection.vendor,
        "documents": docs,
        "pages": total,
        "chars_per_page": 1500,
        "pdf_generation_s": round(generated, 1),
        "pypdf_extract_pages_per_s": rate(pypdf_s),
        "pypdfium2_extract_pages_per_s": rate(pdfium_s),
        "libcoop_index_pages_per_s": rate(best),
        "libcoop_extract_normalise_pages_per_s": rate(best_phases["extract"]),
        "libcoop_index_only_pages_per_s": rate(best_phases["index"]),
        "ratio_libcoop_to_pypdfium2": round(pdfium_s / best, 3),
        "search_check_hits": hits,
    }


def _run_child(vendor: str, docs: int, pages: int) -> dict[str, Any]:
    env = dict(os.environ, LIBCOOP_CONN_MAX_AGE="0")
    env.pop("LIBCOOP_DATABASE_URL", None)
    name = "libcoop_bench_repo_index"
    if vendor == "postgresql":
        try:
            env["LIBCOOP_DATABASE_URL"] = pgdb.create(name)
        except Exception as exc:  # no server: say so in the results
            return {"database": vendor, "skipped": str(exc)}
    try:
        with tempfile.TemporaryDirectory() as home:
            env["LIBCOOP_HOME"] = home
            out = subprocess.run(  # noqa: S603 - our own interpreter and script
                [sys.executable, __file__, "--child", "--docs", str(docs), "--pages", str(pages)],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
    finally:
        if vendor == "postgresql":
            pgdb.drop(name)
    if out.returncode:
        raise RuntimeError(f"indexing on {vendor} failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def run(
    docs: int = 10, pages: int = 20, databases: tuple[str, ...] = ("sqlite", "postgresql")
) -> dict[str, Any]:
    runs = []
    for vendor in databases:
        result = _run_child(vendor, docs, pages)
        runs.append(result)
        print(json.dumps(result, ensure_ascii=False), file=sys.stderr, flush=True)
    return {"runs": runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=10)
    parser.add_argument("--pages", type=int, default=20)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.docs, args.pages)))
        return
    result = run(args.docs, args.pages, tuple(args.databases.split(",")))
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
