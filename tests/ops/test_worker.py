"""Durable background work: a worker killed in the middle of an import leaves no lost and no
duplicated record and no job stuck as running; the web server is not needed for an import to
finish. Real processes (``libcoop worker``) on a database of the test's own, SQLite file or a
new PostgreSQL database."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from pymarc import MARCReader

from tests.catalog.marcdata import book, write
from tests.catalog.test_concurrent_imports import _own_database

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
RECORDS = 12_000

CHILD = """
import json, sys
import django
django.setup()
from django.core.management import call_command
from libcoop.network.models import Institution, InstitutionKind, StaffProfile, StaffRole
from django.contrib.auth.models import User
if sys.argv[1] == "setup":
    call_command("migrate", verbosity=0)
    library = Institution.objects.create(
        code="KILL-LIB", kind=InstitutionKind.UNIVERSITY_LIBRARY, name_en="Kill library"
    )
    user = User.objects.create_user("kill.librarian")
    StaffProfile.objects.create(user=user, institution=library, role=StaffRole.LIBRARIAN)
elif sys.argv[1] == "queue":
    from django.core.files.uploadedfile import SimpleUploadedFile
    from libcoop.catalog.uploads import queue_import
    data = open(sys.argv[2], "rb").read()
    job = queue_import(
        Institution.objects.get(code="KILL-LIB"),
        SimpleUploadedFile("big.mrc", data),
        "records",
        acting_user=User.objects.get(username="kill.librarian"),
    )
    print(job.pk)
elif sys.argv[1] == "token":
    from libcoop.core.tokens import issue_token
    from libcoop.network.abilities import SYSTEM
    print(issue_token(User.objects.get(username="kill.librarian"), "t", acting_user=SYSTEM))
elif sys.argv[1] == "job":
    from libcoop.catalog.models import ImportJob
    job = ImportJob.objects.get(pk=int(sys.argv[2]))
    print(json.dumps({"status": job.status, "added": job.added, "message": job.message}))
else:
    from django_tasks_db.models import DBTaskResult
    from libcoop.catalog.models import BibRecord, ImportJob
    rows = list(
        BibRecord.objects.filter(library__code="KILL-LIB").values_list(
            "local_id", "checksum", "active", "cluster_id"
        )
    )
    print(json.dumps({
        "records": [[r[0], r[1]] for r in rows],
        "inactive": sum(1 for r in rows if not r[2]),
        "without_cluster": sum(1 for r in rows if r[3] is None),
        "running_tasks": DBTaskResult.objects.filter(status="RUNNING").count(),
        "running_jobs": ImportJob.objects.filter(status="running").count(),
    }))
"""


def _expected(path: Path) -> set[tuple[str, str]]:
    """(001, SHA-256 of the raw record) of every record in the file, read by pymarc."""
    with open(path, "rb") as fh:
        return {
            (record["001"].data, hashlib.sha256(record.as_marc()).hexdigest())
            for record in MARCReader(fh)
            if record is not None
        }


def test_a_worker_killed_mid_import_is_replaced_and_the_import_ends_whole(
    tmp_path: Path,
) -> None:
    url, drop = _own_database(tmp_path)
    env = dict(
        os.environ,
        LIBCOOP_DATABASE_URL=url,
        LIBCOOP_HOME=str(tmp_path),
        LIBCOOP_CONN_MAX_AGE="0",
        LIBCOOP_TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        LIBCOOP_WORKER_STALE_SECONDS="3",
        DJANGO_SETTINGS_MODULE="libcoop.settings",
        PYTHONPATH=str(ROOT / "src"),
    )

    def run(*args: str) -> str:
        out = subprocess.run(
            [sys.executable, "-c", CHILD, *args], env=env, capture_output=True, text=True
        )
        assert out.returncode == 0, out.stderr[-3000:]
        return out.stdout.strip()

    def worker(name: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "django", "worker", "--heartbeat", "0.5", "--worker-id", name],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )

    first: subprocess.Popen[str] | None = None
    second: subprocess.Popen[str] | None = None
    try:
        run("setup")
        path = write(
            tmp_path / "big.mrc",
            *(
                book(f"K{n:05d}", f"Library energy practice {n}", year=1990 + n % 30)
                for n in range(RECORDS)
            ),
        )
        expected = _expected(path)
        assert len(expected) == RECORDS
        job_id = run("queue", str(path))
        first = worker("first")
        deadline = time.monotonic() + 180
        state: dict[str, Any] = {}
        while time.monotonic() < deadline:
            state = json.loads(run("job", job_id))
            if state["status"] == "running" and state["added"] > 0:
                break
            assert state["status"] in ("queued", "running"), state
            time.sleep(0.05)
        assert state.get("added", 0) > 0, f"the import never got going: {state}"
        first.send_signal(signal.SIGKILL)  # no chance to finish the batch or say goodbye
        first.wait(timeout=30)
        killed = json.loads(run("job", job_id))
        assert killed["status"] == "running" and killed["added"] < RECORDS, killed
        second = worker("second")
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            state = json.loads(run("job", job_id))
            if state["status"] in ("done", "failed"):
                break
            time.sleep(0.5)
        assert state["status"] == "done", state
        assert "Resumed" in state["message"]
        final = json.loads(run("state"))
        stored = {(lid, checksum) for lid, checksum in final["records"]}
        assert len(final["records"]) == RECORDS  # nothing duplicated
        assert stored == expected  # nothing lost, every record as in the file
        assert final["inactive"] == final["without_cluster"] == 0
        assert final["running_tasks"] == final["running_jobs"] == 0
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
        drop()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_killing_the_web_server_loses_no_import(tmp_path: Path) -> None:
    """The upload is queued and answered at once (202); the import runs in the worker, so the
    web server can die while it runs."""
    import requests

    url, drop = _own_database(tmp_path)
    env = dict(
        os.environ,
        LIBCOOP_DATABASE_URL=url,
        LIBCOOP_HOME=str(tmp_path),
        LIBCOOP_CONN_MAX_AGE="0",
        LIBCOOP_TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        DJANGO_SETTINGS_MODULE="libcoop.settings",
        PYTHONPATH=str(ROOT / "src"),
    )

    def run(*args: str) -> str:
        out = subprocess.run(
            [sys.executable, "-c", CHILD, *args], env=env, capture_output=True, text=True
        )
        assert out.returncode == 0, out.stderr[-3000:]
        return out.stdout.strip()

    port = _free_port()
    processes: list[subprocess.Popen[str]] = []

    def start(*args: str) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            [sys.executable, "-m", "django", *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        processes.append(process)
        return process

    try:
        run("setup")
        key = run("token")
        records = 6_000
        path = write(
            tmp_path / "big.mrc",
            *(book(f"S{n:05d}", f"Server restart {n}", year=1990 + n % 30) for n in range(records)),
        )
        server = start("serve", "--port", str(port))
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                requests.get(f"{base}/health", timeout=2)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        worker = start("worker", "--heartbeat", "0.5")
        with open(path, "rb") as fh:
            answer = requests.post(
                f"{base}/api/catalog/imports",
                data={"library": "KILL-LIB"},
                files={"file": ("big.mrc", fh)},
                headers={"Authorization": f"Bearer {key}"},
                timeout=120,
            )
        assert answer.status_code == 202, answer.text[:500]
        job_id = str(answer.json()["id"])
        deadline = time.monotonic() + 120
        while json.loads(run("job", job_id))["status"] != "running":
            assert time.monotonic() < deadline
            time.sleep(0.05)
        server.send_signal(signal.SIGKILL)
        server.wait(timeout=30)
        deadline = time.monotonic() + 300
        while (state := json.loads(run("job", job_id)))["status"] not in ("done", "failed"):
            assert time.monotonic() < deadline, state
            time.sleep(0.5)
        assert state["status"] == "done" and state["added"] == records
        final = json.loads(run("state"))
        assert {lid for lid, _ in final["records"]} == {f"S{n:05d}" for n in range(records)}
        assert len(final["records"]) == records
        assert final["running_tasks"] == final["running_jobs"] == 0
        assert worker.poll() is None  # the worker never needed the server
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
        drop()
