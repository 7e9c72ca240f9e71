"""Interlibrary-loan benchmarks: ISO 18626 throughput of ``POST /iso18626`` and the rota's
selection time with a large history. Run through ``bench/run.py ill``.

**Throughput** (``throughput``): the server as users run it — ``libcoop serve`` (waitress,
8 threads) and a ``libcoop worker`` beside it, as subprocesses on a free 127.0.0.1 port, on a
database of the benchmark's own (a SQLite file in a temporary home, or a PostgreSQL database
made and dropped with ``pgdb``). Ten member libraries and four outside peers; a few hundred
requests already received. Eight client threads (``requests.Session`` each) send, for a fixed
time after a warm-up, a mix of new ``Request`` messages (each a new
``requestingAgencyRequestId`` to a member, so each creates a supplier row) and
``RequestingAgencyMessage`` s (``StatusRequest``, ``Notification``) on requests that exist.
Messages are built with ``interop.iso18626.build.to_xml`` from the ``messages`` dataclasses
(one validated document per kind, member and peer, in which the request id is then
substituted, so that the clients spend their time sending, not validating). Baseline in the
same run: the same eight clients against ``GET /health`` (the server's floor: the full
middleware stack and two database reads).

**Rota** (``rota``): ``rota.choose(request)`` for a cluster held by 50 member libraries of a
network with a rota policy (open, load, turnaround), first with no history (the floor), then
with N past requests (a ``PatronRequest`` and a ``SupplyRequest`` each, timestamps spread
over three years, states as requests end: mostly completed, some unfilled, cancelled or still
out, the last weeks open) written by bulk inserts (``COPY`` into PostgreSQL, ``executemany``
into SQLite). Then the same selection with the statistics computed by aggregate queries
(``proposed_figures``, an experimental copy of ``rota._figures``; ``src/`` is not changed),
first without and then with two indexes, each checked to give the same rota.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import pgdb  # noqa: E402

MEMBERS = [f"BENCH-ILL-{n:02d}" for n in range(1, 11)]
PEERS = [f"BENCH-PEER-{n}" for n in range(1, 5)]
PLACEHOLDER = "BENCHID0000000000000000"
SEEDED = 400  # requests received before the clients start


# --- shared --------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _pct(ordered: list[float], q: float) -> float:
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    if not ordered:
        return {}
    return {
        "p50_ms": round(1000 * statistics.median(ordered), 2),
        "p95_ms": round(1000 * _pct(ordered, 0.95), 2),
        "p99_ms": round(1000 * _pct(ordered, 0.99), 2),
        "max_ms": round(1000 * ordered[-1], 2),
    }


def _env(vendor: str, home: str, name: str) -> dict[str, str] | str:
    """Environment for a process on *vendor*'s own database (or why there is none)."""
    env = dict(os.environ, LIBCOOP_HOME=home, DJANGO_SETTINGS_MODULE="libcoop.settings")
    env.pop("LIBCOOP_DATABASE_URL", None)
    env.pop("LIBCOOP_BENCH_CHILD", None)
    if vendor == "postgresql":
        try:
            env["LIBCOOP_DATABASE_URL"] = pgdb.create(name)
        except Exception as exc:  # no server: said in the results
            return f"no PostgreSQL: {exc}"
    return env


def _child(args: list[str], env: dict[str, str]) -> Any:
    out = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, __file__, *args], env=env, capture_output=True, text=True, check=False
    )
    if out.returncode:
        raise RuntimeError(f"{args[0]} failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "libcoop.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# --- ISO 18626 throughput ------------------------------------------------------------------


def setup_network() -> dict[str, Any]:
    """Members with agencies, outside peers, and SEEDED requests already received (through
    the real handler, in process)."""
    _setup_django()
    from libcoop.ill import protocol, services
    from libcoop.ill.models import Agency
    from libcoop.network.models import Institution, InstitutionKind

    for code in MEMBERS:
        library = Institution.objects.create(
            code=code, kind=InstitutionKind.UNIVERSITY_LIBRARY, name_en=code
        )
        services.agency_for(library)
    for code in PEERS:
        Agency.objects.create(id_type="ISIL", id_value=code, name=code)
    seeded = []
    rng = random.Random(18626)
    for n in range(SEEDED):
        member, peer = rng.choice(MEMBERS), rng.choice(PEERS)
        rid = f"SEED-{n:06d}"
        answer = protocol.handle(_request(member, peer, rid))
        assert answer.ok, answer
        seeded.append([member, peer, rid])
    return {"seeded": seeded}


def _header(member: str, peer: str, rid: str) -> Any:
    from libcoop.interop.iso18626 import messages as m

    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    return m.Header(m.AgencyId("ISIL", member), m.AgencyId("ISIL", peer), now, rid)


def _request(member: str, peer: str, rid: str) -> Any:
    from libcoop.interop.iso18626 import messages as m

    return m.Request(
        header=_header(member, peer, rid),
        bibliographic=m.Bibliographic(
            title="การจัดการห้องสมุดสีเขียว : แนวคิดและแนวปฏิบัติ",
            author="สมชาย ใจดี",
            publisher="Chiang Rai : Mae Fah Luang University",
            publication_date="2563",
            identifiers=(("ISBN", "9786163980012"),),
        ),
        service_type="Loan",
        patron_name="Bench patron",
        note="Benchmark request",
    )


def templates() -> dict[str, dict[tuple[str, str], bytes]]:
    """One validated document per kind, member and peer, with PLACEHOLDER as the request id."""
    from libcoop.interop.iso18626 import messages as m
    from libcoop.interop.iso18626.build import to_xml

    out: dict[str, dict[tuple[str, str], bytes]] = {"request": {}, "status": {}, "note": {}}
    for member in MEMBERS:
        for peer in PEERS:
            key = (member, peer)
            out["request"][key] = to_xml(_request(member, peer, PLACEHOLDER), "2021-2")
            header = _header(member, peer, PLACEHOLDER)
            out["status"][key] = to_xml(
                m.RequestingAgencyMessage(header=header, action="StatusRequest"), "2021-2"
            )
            out["note"][key] = to_xml(
                m.RequestingAgencyMessage(
                    header=header, action="Notification", note="Pickup at the main desk"
                ),
                "2021-2",
            )
    return out


class Load:
    """CLIENTS threads, each with its own ``requests.Session``, for ``warmup + seconds``;
    only the last *seconds* are counted."""

    def __init__(self, base: str, clients: int, warmup: float, seconds: float) -> None:
        self.base, self.clients, self.warmup, self.seconds = base, clients, warmup, seconds

    def run(self, work: Any) -> dict[str, Any]:
        import requests

        start = time.perf_counter() + 0.5
        counted_from, stop = start + self.warmup, start + self.warmup + self.seconds
        results: list[dict[str, Any]] = []
        lock = threading.Lock()

        def client(number: int) -> None:
            session = requests.Session()
            rng = random.Random(number)
            latencies: list[float] = []
            counts = {"ok": 0, "refused": 0, "http_errors": 0}
            kinds: dict[str, int] = {}
            n = 0
            while time.perf_counter() < start:
                time.sleep(0.01)
            while True:
                t0 = time.perf_counter()
                if t0 >= stop:
                    break
                kind, outcome = work(session, rng, number, n)
                t1 = time.perf_counter()
                n += 1
                if t0 >= counted_from and t1 <= stop:
                    latencies.append(t1 - t0)
                    counts[outcome] += 1
                    kinds[kind] = kinds.get(kind, 0) + 1
            session.close()
            with lock:
                results.append({"latencies": latencies, "counts": counts, "kinds": kinds})

        threads = [threading.Thread(target=client, args=(i,)) for i in range(self.clients)]
        load_before = [round(x, 2) for x in os.getloadavg()]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        latencies = [x for r in results for x in r["latencies"]]
        counts = {k: sum(r["counts"][k] for r in results) for k in ("ok", "refused", "http_errors")}
        kinds: dict[str, int] = {}
        for r in results:
            for k, v in r["kinds"].items():
                kinds[k] = kinds.get(k, 0) + v
        return {
            "clients": self.clients,
            "seconds": self.seconds,
            "answered": len(latencies),
            **counts,
            "per_second": round(counts["ok"] / self.seconds, 1),
            "latency": _summary(latencies),
            "kinds": kinds,
            "load_before": load_before,
            "load_after": [round(x, 2) for x in os.getloadavg()],
        }


def _wait_for(url: str, timeout: float = 60) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{url} did not answer 200 within {timeout} s")


def throughput_on(
    vendor: str, *, clients: int = 8, seconds: float = 20, warmup: float = 3
) -> dict[str, Any]:
    """Health floor and ISO 18626 mix against ``libcoop serve`` on *vendor*."""
    name = "libcoop_bench_ill_http"
    with tempfile.TemporaryDirectory() as home:
        env = _env(vendor, home, name)
        if isinstance(env, str):
            return {"database": vendor, "skipped": env}
        try:
            seeded = _child(["setup"], env)["seeded"]
            port = _free_port()
            libcoop = str(Path(sys.executable).with_name("libcoop"))
            processes = [
                subprocess.Popen(  # noqa: S603
                    [libcoop, *args],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                for args in (["serve", "--port", str(port)], ["worker"])
            ]
            try:
                base = f"http://127.0.0.1:{port}"
                _wait_for(base + "/health")
                out = _measure(base, seeded, clients, seconds, warmup)
            finally:
                for process in processes:
                    process.terminate()
                for process in processes:
                    try:
                        process.wait(timeout=30)
                    except subprocess.TimeoutExpired:
                        process.kill()
            counted = _child(["count"], env)
        finally:
            if vendor == "postgresql":
                pgdb.drop(name)
    out["database"] = vendor
    out["supply_rows_after"] = counted["supply_requests"]
    out["supply_rows_expected"] = SEEDED + out["requests_accepted_total"]
    return out


def _measure(
    base: str, seeded: list[list[str]], clients: int, seconds: float, warmup: float
) -> dict[str, Any]:
    bodies = templates()
    pool: list[tuple[str, str, str]] = [(a, b, c) for a, b, c in seeded]
    accepted = [0]
    keys = [(member, peer) for member in MEMBERS for peer in PEERS]
    headers = {"Content-Type": "application/xml; charset=utf-8"}
    load = Load(base, clients, warmup, seconds)

    def health(session: Any, rng: random.Random, number: int, n: int) -> tuple[str, str]:
        response = session.get(base + "/health", timeout=30)
        return "health", "ok" if response.status_code == 200 else "http_errors"

    def iso(session: Any, rng: random.Random, number: int, n: int) -> tuple[str, str]:
        roll = rng.random()
        if roll < 0.5:
            kind = "request"
            member, peer = rng.choice(keys)
            rid = f"BENCH-{number:02d}-{n:09d}-{rng.randrange(10**6):06d}"
        else:
            kind = "status" if roll < 0.75 else "note"
            member, peer, rid = pool[rng.randrange(len(pool))]
        body = bodies[kind][(member, peer)].replace(PLACEHOLDER.encode(), rid.encode())
        response = session.post(base + "/iso18626", data=body, headers=headers, timeout=30)
        if response.status_code != 200:
            return kind, "http_errors"
        if b"messageStatus>OK<" not in response.content:
            return kind, "refused"
        if kind == "request":
            pool.append((member, peer, rid))
            accepted[0] += 1
        return kind, "ok"

    floor = load.run(health)
    messages = load.run(iso)
    return {
        "health_floor": floor,
        "iso18626": messages,
        "ratio_to_floor": round(messages["per_second"] / floor["per_second"], 3),
        "p95_ratio_to_floor": round(messages["latency"]["p95_ms"] / floor["latency"]["p95_ms"], 2),
        "requests_accepted_total": accepted[0],
        "mix": "50 % new Request, 25 % StatusRequest, 25 % Notification",
        "server": "libcoop serve (waitress, 8 threads) + libcoop worker",
    }


def count_rows() -> dict[str, int]:
    _setup_django()
    from libcoop.ill.models import SupplyRequest

    return {"supply_requests": SupplyRequest.objects.count()}


def throughput(vendors: list[str], seconds: float = 20) -> list[dict[str, Any]]:
    return [throughput_on(v, seconds=seconds) for v in vendors]


# --- rota ----------------------------------------------------------------------------------

LIBRARIES = 60  # network members: 50 hold the cluster, the requester, 9 others
HOLDERS = 50
YEARS_OF_HISTORY = 3
ISBN = "9780306406157"


def _libraries() -> dict[str, Any]:
    """The network, its policy, members with agencies and lending policies, and one cluster
    held by HOLDERS of them (a one-record file each, through the real import)."""
    from pymarc import Field, Indicators, Leader, MARCWriter, Record, Subfield

    from libcoop.catalog.ingest import import_file
    from libcoop.catalog.models import BibRecord
    from libcoop.ill import services
    from libcoop.ill.models import LendingPolicy, RotaPolicy
    from libcoop.network.abilities import SYSTEM
    from libcoop.network.models import (
        Institution,
        InstitutionKind,
        Membership,
        MembershipRole,
        Network,
        NetworkKind,
    )

    network = Network.objects.create(
        code="BENCH-ILLNET", kind=NetworkKind.NETWORK, name_en="Bench ILL network"
    )
    RotaPolicy.objects.create(network=network, criteria=["open", "load", "turnaround"])
    libraries = []
    for n in range(LIBRARIES):
        library = Institution.objects.create(
            code=f"BENCH-R{n:02d}", kind=InstitutionKind.UNIVERSITY_LIBRARY, name_en=f"R{n}"
        )
        Membership.objects.create(institution=library, network=network, role=MembershipRole.MEMBER)
        services.agency_for(library)
        # three holders closed for lending: the rota leaves them out
        LendingPolicy.objects.create(institution=library, open_for_lending=n not in (7, 19, 33))
        libraries.append(library)
    with tempfile.TemporaryDirectory() as folder:
        for n, library in enumerate(libraries[1 : HOLDERS + 1]):
            record = Record(force_utf8=True)
            record.leader = Leader("00000nam a2200000 i 4500")
            record.add_field(Field(tag="001", data=f"ROTA{n}"))
            record.add_field(Field(tag="008", data="190101s2019    th a          000 0 eng d"))
            record.add_field(
                Field(tag="020", indicators=Indicators(" ", " "), subfields=[Subfield("a", ISBN)])
            )
            record.add_field(
                Field(
                    tag="100", indicators=Indicators("1", " "), subfields=[Subfield("a", "Smith")]
                )
            )
            record.add_field(
                Field(
                    tag="245",
                    indicators=Indicators("1", "0"),
                    subfields=[Subfield("a", "Green libraries of Thailand /")],
                )
            )
            path = Path(folder) / f"{n}.mrc"
            with path.open("wb") as fh:
                MARCWriter(fh).write(record)
            import_file(path, library, acting_user=SYSTEM)
    cluster_id = BibRecord.objects.get(library=libraries[1], local_id="ROTA0").cluster_id
    request = services.create_request(libraries[0], acting_user=SYSTEM, cluster_id=cluster_id)
    return {"libraries": libraries, "request": request, "cluster_id": cluster_id}


def fill_history(libraries: list[Any], count: int, seed: int = 13) -> dict[str, float]:
    """*count* past requests, each a PatronRequest at its requester and a SupplyRequest at its
    lender, by bulk inserts in chunks (one transaction each)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from libcoop.catalog import bulk
    from libcoop.ill.models import Agency, PatronRequest, SupplyRequest

    postgres = connection.vendor == "postgresql"
    rng = random.Random(seed)
    ids = [lib.pk for lib in libraries]
    codes = {lib.pk: lib.code for lib in libraries}
    agency = dict(Agency.objects.filter(institution_id__in=ids).values_list("institution_id", "pk"))
    # larger libraries borrow and lend more; each lender has its own usual turnaround
    weights = [1 + 9 * rng.random() ** 2 for _ in ids]
    speed = {pk: 12 + 60 * rng.random() for pk in ids}
    now = timezone.now().replace(microsecond=0)
    span = YEARS_OF_HISTORY * 365 * 86400

    def fields(model: Any) -> list[Any]:
        return [f for f in model._meta.concrete_fields if not f.primary_key]

    p_fields, s_fields = fields(PatronRequest), fields(SupplyRequest)
    p_names, s_names = [f.name for f in p_fields], [f.name for f in s_fields]

    def defaults(model_fields: list[Any]) -> list[Any]:
        out = []
        for f in model_fields:
            value = None if f.null else f.get_default()
            out.append(int(value) if isinstance(value, bool) and not postgres else value)
        return out

    p_template, s_template = defaults(p_fields), defaults(s_fields)
    p_at = {name: n for n, name in enumerate(p_names)}
    s_at = {name: n for n, name in enumerate(s_names)}

    def when(t: dt.datetime | None) -> Any:
        if t is None or postgres:
            return t
        return str(t.replace(tzinfo=None))  # what Django writes into SQLite (UTC, naive)

    def day(d: dt.date | None) -> Any:
        return d if d is None or postgres else str(d)

    active_states = ("new", "will_supply", "awaiting_pick", "shipped")
    start = time.perf_counter()
    generate = insert = 0.0
    chunk = 50_000
    with bulk.bulk_writes():
        for first in range(0, count, chunk):
            t0 = time.perf_counter()
            p_rows, s_rows = [], []
            for n in range(first, min(count, first + chunk)):
                requester, lender = rng.choices(ids, weights, k=2)
                while lender == requester:
                    lender = rng.choices(ids, weights)[0]
                age = rng.random() * span
                created = now - dt.timedelta(seconds=int(age))
                shipped = received = completed = due = None
                if age < 21 * 86400:  # the last three weeks: still open
                    s_state = rng.choice(active_states)
                    r_state = {
                        "new": "sent",
                        "will_supply": "expects_to_supply",
                        "awaiting_pick": "expects_to_supply",
                        "shipped": "shipped",
                    }[s_state]
                    if s_state == "shipped":
                        shipped = created + dt.timedelta(hours=speed[lender] * rng.random() * 2)
                        if shipped > now:
                            shipped = now
                else:
                    roll = rng.random()
                    if roll < 0.10:
                        s_state, r_state = "unfilled", "unfilled"
                    elif roll < 0.15:
                        s_state, r_state = "cancelled", "cancelled"
                    else:
                        hours = speed[lender] * rng.lognormvariate(0, 0.5)
                        shipped = created + dt.timedelta(hours=hours)
                        received = shipped + dt.timedelta(hours=24 + 96 * rng.random())
                        due = (received + dt.timedelta(days=28)).date()
                        if roll < 0.18 and age < 120 * 86400:  # out on loan (or overdue)
                            s_state, r_state = "shipped", "checked_out"
                        else:
                            s_state, r_state = "completed", "completed"
                            completed = received + dt.timedelta(days=14 + 20 * rng.random())
                request_id = f"{codes[requester]}-H{n:09d}"
                supply_id = f"{codes[lender]}-HS{n:09d}"
                p = list(p_template)
                p[p_at["title"]] = f"Past request {n}"
                p[p_at["requester"]] = requester
                p[p_at["request_id"]] = request_id
                p[p_at["state"]] = r_state
                p[p_at["supplier"]] = agency[lender]
                p[p_at["supplier_request_id"]] = supply_id
                p[p_at["due_date"]] = day(due)
                p[p_at["created"]] = when(created)
                p[p_at["updated"]] = when(completed or received or shipped or created)
                p[p_at["shipped_at"]] = when(shipped)
                p[p_at["received_at"]] = when(received)
                p[p_at["completed_at"]] = when(completed)
                p_rows.append(p)
                s = list(s_template)
                s[s_at["title"]] = f"Past request {n}"
                s[s_at["lender"]] = lender
                s[s_at["requesting_agency"]] = agency[requester]
                s[s_at["requesting_request_id"]] = request_id
                s[s_at["supply_id"]] = supply_id
                s[s_at["state"]] = s_state
                s[s_at["due_date"]] = day(due)
                s[s_at["created"]] = when(created)
                s[s_at["updated"]] = when(completed or shipped or created)
                s[s_at["shipped_at"]] = when(shipped)
                s[s_at["completed_at"]] = when(completed)
                s_rows.append(s)
            t1 = time.perf_counter()
            with transaction.atomic():
                bulk.insert(PatronRequest, p_names, p_rows)
                bulk.insert(SupplyRequest, s_names, s_rows)
            generate += t1 - t0
            insert += time.perf_counter() - t1
    filled = time.perf_counter() - start
    t = time.perf_counter()
    with connection.cursor() as cursor:  # what autovacuum would have done by then
        cursor.execute("VACUUM ANALYZE" if postgres else "ANALYZE")
    return {
        "fill_seconds": round(filled, 1),
        "generate_seconds": round(generate, 1),
        "insert_seconds": round(insert, 1),
        "vacuum_analyze_seconds": round(time.perf_counter() - t, 1),
    }


def proposed_figures(lender_ids: list[int], now: dt.datetime) -> dict[int, dict[str, Any]]:
    """``rota._figures`` by aggregate queries: counts grouped by library in the database, and
    the turnaround median by ``stats.percentiles`` (window functions; a few rows per lender
    come back), instead of every row of the last year and 90 days loaded into Python. Same
    definitions, same rounding."""
    from django.db.models import Count

    from libcoop.ill.models import PatronRequest, SupplyRequest
    from libcoop.ill.rota import ACTIVE_SUPPLY
    from libcoop.ill.stats import percentiles

    year_ago = now - dt.timedelta(days=365)
    recent = now - dt.timedelta(days=90)
    active = dict.fromkeys(lender_ids, 0)
    active.update(
        SupplyRequest.objects.filter(lender_id__in=lender_ids, state__in=ACTIVE_SUPPLY)
        .order_by()
        .values("lender_id")
        .annotate(n=Count("pk"))
        .values_list("lender_id", "n")
    )
    borrowed = dict.fromkeys(lender_ids, 0)
    borrowed.update(
        PatronRequest.objects.filter(requester_id__in=lender_ids, created__gte=year_ago)
        .order_by()
        .values("requester_id")
        .annotate(n=Count("pk"))
        .values_list("requester_id", "n")
    )
    shipped = SupplyRequest.objects.filter(lender_id__in=lender_ids, created__gte=recent)
    medians = percentiles(shipped, "created", "shipped_at", "lender_id")
    return {
        pk: {
            "active_loans": active[pk],
            "borrowed_last_year": borrowed[pk],
            "load": round((active[pk] + 1) / (borrowed[pk] + 1), 3),
            "turnaround_hours": (
                round(medians[pk].median_hours, 1)  # type: ignore[arg-type]
                if pk in medians
                else None
            ),
        }
        for pk in lender_ids
    }


def diagnose(lender_ids: list[int], now: dt.datetime) -> dict[str, Any]:
    """One call of ``rota._figures`` as it is: its time, each query's SQL, time in the
    driver and plan, and how many rows the turnaround query brings back to Python."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from libcoop.ill import rota
    from libcoop.ill.models import SupplyRequest

    with CaptureQueriesContext(connection) as captured:
        t = time.perf_counter()
        rota._figures(lender_ids, now)
        total = time.perf_counter() - t
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    queries = []
    for query in captured.captured_queries:
        with connection.cursor() as cursor:
            cursor.execute(prefix + query["sql"])
            plan = [" ".join(str(c) for c in row) for row in cursor.fetchall()]
        queries.append(
            {"sql": query["sql"][:400], "driver_ms": round(1000 * float(query["time"]), 1)}
            | {"plan": plan}
        )
    recent_shipped = SupplyRequest.objects.filter(
        lender_id__in=lender_ids, shipped_at__isnull=False, created__gte=now - dt.timedelta(90)
    ).count()
    return {
        "figures_ms": round(1000 * total, 1),
        "queries": queries,
        "turnaround_rows_to_python": recent_shipped,
    }


# Beyond migration 0003's indexes: the turnaround median read from the index alone.
PROPOSED_INDEXES = (
    "CREATE INDEX bench_ill_supply_lender_created_shipped ON ill_supplyrequest"
    " (lender_id, created, shipped_at)",
)


def _time_choose(request: Any, repeat: int, budget: float) -> tuple[dict[str, Any], Any]:
    from libcoop.ill import rota

    chosen = rota.choose(request)  # warm
    samples: list[float] = []
    deadline = time.perf_counter() + budget
    for _ in range(repeat):
        t = time.perf_counter()
        chosen = rota.choose(request)
        samples.append(time.perf_counter() - t)
        if time.perf_counter() > deadline and len(samples) >= 10:
            break
    ordered = sorted(samples)
    timing = {
        "calls": len(samples),
        "median_ms": round(1000 * statistics.median(ordered), 2),
        "p95_ms": round(1000 * _pct(ordered, 0.95), 2),
    }
    return timing, chosen


def rota_child(history: int, repeat: int, budget: float) -> dict[str, Any]:
    _setup_django()
    from unittest import mock

    from django.db import connection
    from django.utils import timezone

    from libcoop.ill import rota
    from libcoop.ill.models import PatronRequest, SupplyRequest

    setup = _libraries()
    request = setup["request"]
    out: dict[str, Any] = {"database": connection.vendor, "holders": HOLDERS}
    out["load_before"] = [round(x, 2) for x in os.getloadavg()]
    empty, empty_rota = _time_choose(request, repeat, budget)
    out["empty_history"] = empty
    out["lenders_in_rota"] = len(empty_rota)
    out["fill"] = fill_history(setup["libraries"], history)
    out["history"] = {
        "patron_requests": PatronRequest.objects.count(),
        "supply_requests": SupplyRequest.objects.count(),
        "years": YEARS_OF_HISTORY,
    }
    current, _rota = _time_choose(request, repeat, budget)
    out["with_history"] = current
    out["ratio_to_empty"] = round(current["median_ms"] / empty["median_ms"], 1)
    lender_ids = rota.holders(request)
    out["current_figures"] = diagnose(lender_ids, timezone.now())
    at = timezone.now()
    figures_now = rota._figures(lender_ids, at)
    with mock.patch.object(rota, "_figures", proposed_figures):
        aggregate, _rota = _time_choose(request, repeat, budget)
        out["proposed_in_sql"] = {
            **aggregate,
            "same_figures": proposed_figures(lender_ids, at) == figures_now,
        }
        t = time.perf_counter()
        with connection.cursor() as cursor:
            for sql in PROPOSED_INDEXES:
                cursor.execute(sql)
            cursor.execute("ANALYZE")
        built = time.perf_counter() - t
        indexed, _rota = _time_choose(request, repeat, budget)
        out["proposed_in_sql_and_index"] = {
            **indexed,
            "same_figures": proposed_figures(lender_ids, at) == figures_now,
            "index_build_seconds": round(built, 1),
            "ratio_to_empty": round(indexed["median_ms"] / empty["median_ms"], 1),
        }
    out["load_after"] = [round(x, 2) for x in os.getloadavg()]
    return out


def rota_bench(
    vendors: list[str], history: int, repeat: int = 50, budget: float = 60
) -> list[dict[str, Any]]:
    runs = []
    for vendor in vendors:
        name = "libcoop_bench_ill_rota"
        with tempfile.TemporaryDirectory() as home:
            env = _env(vendor, home, name)
            if isinstance(env, str):
                runs.append({"database": vendor, "skipped": env})
                continue
            try:
                result = _child(["rota", str(history), str(repeat), str(budget)], env)
            finally:
                if vendor == "postgresql":
                    pgdb.drop(name)
        print(json.dumps(result), file=sys.stderr, flush=True)
        runs.append(result)
    return runs


def run(
    vendors: list[str], *, seconds: float = 20, history: int = 1_000_000, repeat: int = 50
) -> dict[str, Any]:
    out: dict[str, Any] = {"iso18626_throughput": []}
    for vendor in vendors:
        result = throughput_on(vendor, seconds=seconds)
        print(json.dumps(result), file=sys.stderr, flush=True)
        out["iso18626_throughput"].append(result)
    out["rota"] = rota_bench(vendors, history, repeat)
    return out


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "setup":
        result: Any = setup_network()
    elif command == "count":
        result = count_rows()
    elif command == "rota":
        result = rota_child(int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]))
    else:
        sys.exit(f"unknown command {command}")
    print(json.dumps(result, ensure_ascii=False, default=str))
