"""Two librarians act on one request at the same moment, each in their own process on a
database of the test's own (a SQLite file, or a new PostgreSQL database): one wins, the other
waits for the row (PostgreSQL's row lock; SQLite's single writer), finds the state changed and
is refused with a message; exactly one audit entry and one message are written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.catalog.test_concurrent_imports import _own_database

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import json, sys, time
import django
django.setup()
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management import call_command
from libcoop.ill import services
from libcoop.ill.models import SupplyRequest
from libcoop.network.models import Institution, InstitutionKind, StaffProfile, StaffRole
cmd = sys.argv[1]
if cmd == "setup":
    call_command("migrate", verbosity=0)
    kind = InstitutionKind.UNIVERSITY_LIBRARY
    lender = Institution.objects.create(code="LEN-LIB", kind=kind, name_en="Lender")
    borrower = Institution.objects.create(code="BOR-LIB", kind=kind, name_en="Borrower")
    for name in ("one", "two"):
        user = User.objects.create_user(name)
        StaffProfile.objects.create(user=user, institution=lender, role=StaffRole.LIBRARIAN)
    SupplyRequest.objects.create(
        lender=lender,
        requesting_agency=services.agency_for(borrower),
        requesting_request_id="RACE-1",
        supply_id="SUP-RACE-1",
        title="Green libraries",
    )
elif cmd == "act":
    user, action, start = sys.argv[2], sys.argv[3], float(sys.argv[4])
    supply = SupplyRequest.objects.get()
    while time.time() < start:
        time.sleep(0.001)
    try:
        services.perform(
            supply, action, acting_user=User.objects.get(username=user), conditions="50 THB"
        )
        print(json.dumps(["ok", action]))
    except ValidationError as exc:
        print(json.dumps(["refused", " ".join(exc.messages)]))
else:
    from libcoop.audit.models import AuditEvent
    from libcoop.ill.models import Outgoing
    supply = SupplyRequest.objects.get()
    print(json.dumps({
        "state": supply.state,
        "audit": AuditEvent.objects.filter(verb="ill.supply.changed").count(),
        "messages": Outgoing.objects.count(),
    }))
"""


def test_two_librarians_at_once_give_one_winner(tmp_path: Path) -> None:
    url, drop = _own_database(tmp_path)
    env = dict(
        os.environ,
        LIBCOOP_DATABASE_URL=url,
        LIBCOOP_HOME=str(tmp_path),
        LIBCOOP_CONN_MAX_AGE="0",
        LIBCOOP_TASKS_BACKEND="django_tasks_db.DatabaseBackend",  # messages wait in the queue
        DJANGO_SETTINGS_MODULE="libcoop.settings",
        PYTHONPATH=str(ROOT / "src"),
    )

    def run(*args: str) -> str:
        out = subprocess.run(
            [sys.executable, "-c", CHILD, *args], env=env, capture_output=True, text=True
        )
        assert out.returncode == 0, out.stderr[-3000:]
        return out.stdout.strip()

    try:
        run("setup")
        start = str(time.time() + 4)  # both processes are up and waiting by then
        racers = [
            subprocess.Popen(
                [sys.executable, "-c", CHILD, "act", user, action, start],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for user, action in (("one", "will_supply"), ("two", "offer_conditions"))
        ]
        outcomes = []
        for racer in racers:
            out, err = racer.communicate(timeout=120)
            assert racer.returncode == 0, err[-3000:]
            outcomes.append(json.loads(out.strip().splitlines()[-1]))
        assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
        winner = next(action for kind, action in outcomes if kind == "ok")
        refusal = next(text for kind, text in outcomes if kind == "refused")
        assert "ไม่ได้" in refusal or "cannot be done" in refusal
        final = json.loads(run("state"))
        expected = "will_supply" if winner == "will_supply" else "conditional"
        assert final == {"state": expected, "audit": 1, "messages": 1}
    finally:
        drop()
