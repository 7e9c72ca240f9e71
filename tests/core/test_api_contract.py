"""The published OpenAPI document is true: schemathesis against the live production server.

The test makes a database of its own (a SQLite file, or a new PostgreSQL database on the
server of ``LIBCOOP_DATABASE_URL`` when the suite runs on PostgreSQL), loads the demo
registry, knowledge base, events, outreach and green-library data and a small union catalog
into it, and starts ``libcoop serve`` (waitress, as deployed) on a free port of 127.0.0.1.
The schemathesis CLI reads ``/api/openapi.json`` and drives every operation three times:
without a token, with a librarian's token (realistic staff: many writes refused) and with a
superuser's token (writes go through). Each answer is checked: no 5xx
(``not_a_server_error``), a status the operation declares (``status_code_conformance``) and a
body that validates against the declared schema (``response_schema_conformance``; times carry
their offset, errors the one shared ``Error`` schema).

Parameter values are drawn most of the time from the data really there (institution,
network and programme codes, ids, dates), so that writes get past "not found"; the rest
are schemathesis's own, valid and invalid. The run is bounded by the number of examples per
operation (``LIBCOOP_CONTRACT_EXAMPLES``, default 10) and uses a fixed seed
(``LIBCOOP_CONTRACT_SEED``; set it to explore). A failure prints schemathesis's report,
with a ``curl`` line for each failing case.
"""

from __future__ import annotations

import inspect
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.catalog import marcdata

EXAMPLES = int(os.environ.get("LIBCOOP_CONTRACT_EXAMPLES", "10"))
SEED = os.environ.get("LIBCOOP_CONTRACT_SEED", "12")
CHECKS = "not_a_server_error,status_code_conformance,response_schema_conformance"
# How often a parameter takes a value from the data rather than a generated one.
REAL_VALUES = 0.7


def _st() -> list[str]:
    script = Path(sys.executable).with_name("st")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "schemathesis.cli"]


def _load_data(tmp_path: Path) -> None:
    """The demo data of every app except the big generated catalog, and two small MARC files
    (a shared English edition, a Thai record) for the catalog's operations."""
    from libcoop.catalog.ingest import import_file
    from libcoop.events.demo import load_demo as load_events
    from libcoop.greenlib.demo import load_demo as load_greenlib
    from libcoop.knowledge.demo import load_demo as load_knowledge
    from libcoop.network.abilities import SYSTEM
    from libcoop.network.demo import load_demo as load_network
    from libcoop.network.models import Institution
    from libcoop.outreach.demo import load_demo as load_outreach

    for load in (load_network, load_knowledge, load_events, load_outreach, load_greenlib):
        load()
    mfu = marcdata.write(
        tmp_path / "mfu.mrc",
        marcdata.book("mfu-1", "Green libraries", isbn="9786160000017"),
        marcdata.book("mfu-2", "ห้องสมุดสีเขียว", author="สมชาย ใจดี", lang="tha"),
        marcdata.book("mfu-3", "Energy policy", author="Johnson, Ann.", year=2015),
    )
    cmu = marcdata.write(
        tmp_path / "cmu.mrc",
        marcdata.book("cmu-1", "Green libraries", isbn="9786160000017"),
        marcdata.book("cmu-2", "การจัดการขยะ", author="ใจดี สมหญิง", lang="tha"),
    )
    import_file(mfu, Institution.objects.get(code="MFU-LIB"), acting_user=SYSTEM)
    import_file(cmu, Institution.objects.get(code="CMU-LIB"), acting_user=SYSTEM)


def _token(username: str) -> str:
    from django.contrib.auth import get_user_model

    from libcoop.core.tokens import issue_token
    from libcoop.network.abilities import SYSTEM

    user = get_user_model().objects.get(username=username)
    extra: dict[str, Any] = {}
    if "scope" in inspect.signature(issue_token).parameters:
        extra["scope"] = "write"
    return issue_token(user, "schemathesis", acting_user=SYSTEM, **extra)


def _toml(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string or list is valid TOML


def _config(path: Path) -> Path:
    """schemathesis.toml: dictionaries of the values really in the database, bound to the
    parameters and body fields that take them."""
    from libcoop.greenlib.models import Criterion, Standard
    from libcoop.knowledge.models import Tag
    from libcoop.network.models import Institution, InstitutionKind, Network, WorkingGroup
    from libcoop.outreach.models import Programme

    institutions = sorted(Institution.objects.values_list("code", flat=True))
    schools = sorted(
        Institution.objects.filter(kind=InstitutionKind.SCHOOL).values_list("code", flat=True)
    )
    networks = sorted(Network.objects.values_list("code", flat=True))
    codes = (
        institutions[:12]
        + networks
        + sorted(WorkingGroup.objects.values_list("code", flat=True))
        + sorted(Standard.objects.values_list("code", flat=True).distinct())
    )
    dictionaries = {
        "codes": codes,
        "institutions": institutions,
        "schools": schools or institutions,
        "networks": networks,
        "programmes": sorted(Programme.objects.values_list("code", flat=True)),
        "tags": sorted(Tag.objects.values_list("code", flat=True))[:20],
        "criteria": sorted(set(Criterion.objects.values_list("code", flat=True)))[:20],
        "standards": sorted(set(Standard.objects.values_list("code", flat=True))),
        "ids": list(range(1, 13)),
        "years": [2017, 2018, 2019, 2026],
        "dates": ["2019", "2019-06", "2019-06-15", "2026-03-01"],
    }
    bindings = {
        "path.code": "codes",
        "path.pk": "ids",
        "path.year": "years",
        "query.institution": "institutions",
        "query.network": "networks",
        "query.library": "institutions",
        "query.programme": "programmes",
        "query.school": "schools",
        "query.tag": "tags",
        "query.year": "years",
        "body.institution": "institutions",
        "body.organiser": "institutions",
        "body.host": "institutions",
        "body.library": "institutions",
        "body.network": "networks",
        "body.programme": "programmes",
        "body.schools[*]": "schools",
        "body.tags[*]": "tags",
        "body.criterion": "criteria",
        "body.standard": "standards",
        "body.start": "dates",
        "body.end": "dates",
        "body.date": "dates",
        "body.target": "ids",
        "body.parent": "ids",
        "body.year": "years",
    }
    # The coverage phase's probes with undeclared methods (PUT, DELETE, TRACE … on every path)
    # test Django's 405, not the contract: left out to keep the run short.
    lines = ["[phases.coverage]", "unexpected-methods = []", "", "[dictionaries]"]
    lines += [f"{name} = {{ values = {_toml(values)} }}" for name, values in dictionaries.items()]
    lines += ["", "[parameters]"]
    lines += [
        f'"{key}" = {{ dictionary = "{name}", probability = {REAL_VALUES} }}'
        for key, name in bindings.items()
        if dictionaries[name]
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _run(live_url: str, config: Path, token: str | None, workdir: Path) -> tuple[int, str]:
    command = [*_st(), "--no-color", "--config-file", str(config), "run"]
    command += [f"{live_url}/api/openapi.json", "--checks", CHECKS]
    command += ["--phases", "examples,coverage,fuzzing", "--max-examples", str(EXAMPLES)]
    command += ["--seed", SEED, "--no-shrink", "--workers", "1", "--request-timeout", "30"]
    command += ["--warnings", "off"]
    if token:
        command += ["--header", f"Authorization: Bearer {token}"]
    env = dict(os.environ, NO_COLOR="1", SCHEMATHESIS_TELEMETRY="false")
    done = subprocess.run(
        command, cwd=workdir, env=env, capture_output=True, text=True, timeout=600, check=False
    )
    return done.returncode, done.stdout + done.stderr


@pytest.mark.django_db
def test_a_422_answer_uses_the_shared_error_schema() -> None:
    from django.test import Client

    response = Client().get("/api/events", {"year": "soon"}, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    body = response.json()
    assert body["detail"].startswith("The input is not valid: year: ")
    assert body["errors"] == [
        {
            "loc": ["query", "year"],
            "msg": "Input should be a valid integer, unable to parse string as an integer",
            "type": "int_parsing",
        }
    ]
    thai = Client().get("/api/events", {"year": "soon"}, headers={"Accept-Language": "th"})
    assert thai.json()["detail"].startswith("ข้อมูลที่ส่งมาไม่ถูกต้อง")


def test_every_operation_declares_the_answers_of_the_framework() -> None:
    from libcoop.api import api

    schema = api.get_openapi_schema()
    error = {"$ref": "#/components/schemas/Error"}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            if operation.get("parameters") or operation.get("requestBody"):
                declared = responses.get("422", {}).get("content", {}).get("application/json")
                assert declared == {"schema": error}, (method, path)
            if operation.get("requestBody"):
                assert "400" in responses, (method, path)


def prepare(home: str) -> None:
    """In the server's database (run in a child process with the server's environment):
    migrate, load the data, write the schemathesis config and print the tokens as JSON."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "libcoop.settings")
    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    _load_data(Path(home))
    _config(Path(home) / "schemathesis.toml")
    tokens = {"librarian": _token("mfu.librarian"), "superuser": _token("admin")}
    print(json.dumps(tokens))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _postgres_admin(url: str) -> tuple[str, str]:
    """The admin URL (database ``postgres``) and the base of *url*."""
    base = url.rsplit("/", 1)[0]
    return f"{base}/postgres", base


@pytest.fixture
def server_database(tmp_path: Path) -> Iterator[str]:
    """A database of the test's own, on the suite's kind of database; dropped afterwards."""
    url = os.environ.get("LIBCOOP_DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{(tmp_path / 'home' / 'contract.sqlite3').as_posix()}"
        return
    import psycopg

    admin, base = _postgres_admin(url.replace("postgres://", "postgresql://", 1))
    name = f"libcoop_contract_{os.getpid()}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{base}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def live_api(server_database: str, tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """``libcoop serve`` on a free port of 127.0.0.1 with the data loaded: (URL, tokens)."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    root = Path(__file__).resolve().parents[2]
    env = dict(
        os.environ,
        LIBCOOP_HOME=str(home),
        LIBCOOP_DATABASE_URL=server_database,
        LIBCOOP_SECRET_KEY=secrets.token_urlsafe(40),
        LIBCOOP_ALLOWED_HOSTS="127.0.0.1",
        LIBCOOP_DEBUG="0",
        PYTHONPATH=os.pathsep.join([str(root), str(root / "src")]),
    )
    code = f"from tests.core.test_api_contract import prepare; prepare({str(home)!r})"
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    tokens = json.loads(done.stdout.strip().splitlines()[-1])
    port = _free_port()
    libcoop = Path(sys.executable).with_name("libcoop")
    log = (home / "serve.log").open("w")
    server = subprocess.Popen(
        [str(libcoop), "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=home,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/openapi.json", timeout=5):  # noqa: S310
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.3)
        yield url, tokens
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def test_every_answer_matches_the_published_schema(
    live_api: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    url, tokens = live_api
    config = tmp_path / "home" / "schemathesis.toml"
    callers = {
        "anonymous": None,
        "librarian (mfu.librarian)": tokens["librarian"],
        "superuser (admin)": tokens["superuser"],
    }
    failures = []
    for caller, token in callers.items():
        status, report = _run(url, config, token, tmp_path)
        if status != 0:
            failures.append(f"===== {caller}: schemathesis exit {status} =====\n{report[-20000:]}")
    server_errors = [
        line
        for line in (tmp_path / "home" / "serve.log").read_text(errors="replace").splitlines()
        if line.startswith("Internal Server Error")
    ]
    assert not failures, "\n".join(failures)
    assert not server_errors, "\n".join(server_errors)
