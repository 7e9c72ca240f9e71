"""The documented option for larger deployments: the queue in Redis through RQ. An import
queued by the upload service is run by ``libcoop worker`` (an RQ worker with LibCoop's
heartbeat and schedules) against the Redis the machine runs on 127.0.0.1:6379."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from tests.catalog.marcdata import book, write

ROOT = Path(__file__).resolve().parents[2]
REDIS = os.environ.get("LIBCOOP_TEST_REDIS_URL", "redis://127.0.0.1:6379")

CHILD = """
import json, sys
import django
django.setup()
from django.contrib.auth.models import User
from django.core.management import call_command
from libcoop.network.models import Institution, InstitutionKind, StaffProfile, StaffRole
if sys.argv[1] == "setup":
    call_command("migrate", verbosity=0)
    library = Institution.objects.create(
        code="RQ-LIB", kind=InstitutionKind.UNIVERSITY_LIBRARY, name_en="RQ library"
    )
    user = User.objects.create_user("rq.librarian")
    StaffProfile.objects.create(user=user, institution=library, role=StaffRole.LIBRARIAN)
elif sys.argv[1] == "queue":
    from django.core.files.uploadedfile import SimpleUploadedFile
    from libcoop.catalog.uploads import queue_import
    job = queue_import(
        Institution.objects.get(code="RQ-LIB"),
        SimpleUploadedFile("a.mrc", open(sys.argv[2], "rb").read()),
        "records",
        acting_user=User.objects.get(username="rq.librarian"),
    )
    print(job.pk)
else:
    from libcoop.catalog.models import BibRecord, ImportJob
    from libcoop.ops.models import WorkerHeartbeat
    job = ImportJob.objects.get(pk=int(sys.argv[2]))
    print(json.dumps({
        "status": job.status,
        "added": job.added,
        "records": BibRecord.objects.filter(library__code="RQ-LIB").count(),
        "workers_left": WorkerHeartbeat.objects.count(),
    }))
"""


def _redis_or_skip() -> None:
    pytest.importorskip("django_tasks_rq", reason="the RQ option is not installed (libcoop[rq])")
    import redis

    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis at {REDIS} (CI starts one)")


def test_an_import_runs_through_redis(tmp_path: Path) -> None:
    _redis_or_skip()
    import redis

    db = random.randint(1, 15)
    url = f"{REDIS}/{db}"
    env = dict(
        os.environ,
        LIBCOOP_DATABASE_URL=f"sqlite:///{tmp_path / 'rq.sqlite3'}",
        LIBCOOP_HOME=str(tmp_path),
        LIBCOOP_TASKS_BACKEND="django_tasks_rq.RQBackend",
        LIBCOOP_REDIS_URL=url,
        DJANGO_SETTINGS_MODULE="libcoop.settings",
        PYTHONPATH=str(ROOT / "src"),
    )

    def run(*args: str) -> str:
        out = subprocess.run(
            [sys.executable, "-c", CHILD, *args], env=env, capture_output=True, text=True
        )
        assert out.returncode == 0, out.stderr[-3000:]
        return out.stdout.strip()

    client = redis.Redis.from_url(url)
    client.flushdb()
    try:
        run("setup")
        path = write(tmp_path / "a.mrc", *(book(f"R{n:03d}", f"Queue {n}") for n in range(60)))
        job = run("queue", str(path))
        assert json.loads(run("state", job))["status"] == "queued"  # nothing ran it yet
        worker = subprocess.run(
            [sys.executable, "-m", "django", "worker", "--batch"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert worker.returncode == 0, worker.stderr[-3000:]
        state = json.loads(run("state", job))
        assert state == {"status": "done", "added": 60, "records": 60, "workers_left": 0}
    finally:
        client.flushdb()
