"""Two LibCoop servers with two databases lend to each other over HTTP only: ISO 18626 between
``libcoop serve`` processes, each with its own worker delivering its outbox. A loan goes from
a patron's request at library A to completion at library B and back."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.catalog.test_concurrent_imports import _own_database

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]

CHILD = """
import json, sys
import django
django.setup()
from django.contrib.auth.models import User
from django.core.management import call_command
from libcoop.ill import services
from libcoop.ill.models import Agency, PatronRequest, SupplyRequest
from libcoop.network.models import Institution, InstitutionKind, StaffProfile, StaffRole
cmd, args = sys.argv[1], sys.argv[2:]
if cmd == "setup":
    me, peer, peer_url = args
    call_command("migrate", verbosity=0)
    library = Institution.objects.create(
        code=me, kind=InstitutionKind.UNIVERSITY_LIBRARY, name_en=me
    )
    for name, role in (("librarian", StaffRole.LIBRARIAN), ("patron", StaffRole.PATRON)):
        user = User.objects.create_user(f"{me}.{name}")
        StaffProfile.objects.create(user=user, institution=library, role=role)
    services.agency_for(library)
    services.add_peer(f"ISIL:{peer}", peer_url, name=peer)
elif cmd == "request":
    me = args[0]
    library = Institution.objects.get(code=me)
    patron = User.objects.get(username=f"{me}.patron")
    librarian = User.objects.get(username=f"{me}.librarian")
    request = services.create_request(
        library, acting_user=patron, title="Green libraries of Thailand", author="Smith, J."
    )
    peer = Agency.objects.get(endpoint__startswith="http")
    services.add_lender(request, peer, acting_user=librarian)
    print(request.pk)
elif cmd in ("act-req", "act-sup"):
    me, action = args
    user = User.objects.get(username=f"{me}.librarian")
    model = PatronRequest if cmd == "act-req" else SupplyRequest
    services.perform(model.objects.get(), action, acting_user=user)
else:
    out = {}
    for name, model in (("requester", PatronRequest), ("supplier", SupplyRequest)):
        row = model.objects.first()
        out[name] = row.state if row else None
    from libcoop.ill.models import Outgoing
    bad = Outgoing.objects.exclude(status__in=["sent", "pending"])
    out["failed"] = list(bad.values_list("summary", "last_error"))
    print(json.dumps(out))
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_loan_between_two_libcoop_servers_over_iso18626(tmp_path: Path) -> None:
    import requests

    homes = {side: tmp_path / side for side in ("a", "b")}
    for home in homes.values():
        home.mkdir()
    urls, drops = {}, []
    for side, home in homes.items():
        url, drop = _own_database(home)
        urls[side] = url
        drops.append(drop)
    ports = {"a": _free_port(), "b": _free_port()}
    codes = {"a": "A-LIB", "b": "B-LIB"}

    def env(side: str) -> dict[str, str]:
        return dict(
            os.environ,
            LIBCOOP_DATABASE_URL=urls[side],
            LIBCOOP_HOME=str(homes[side]),
            LIBCOOP_CONN_MAX_AGE="0",
            LIBCOOP_TASKS_BACKEND="django_tasks_db.DatabaseBackend",
            DJANGO_SETTINGS_MODULE="libcoop.settings",
            PYTHONPATH=str(ROOT / "src"),
        )

    def child(side: str, *args: str) -> str:
        out = subprocess.run(
            [sys.executable, "-c", CHILD, *args], env=env(side), capture_output=True, text=True
        )
        assert out.returncode == 0, out.stderr[-3000:]
        return out.stdout.strip()

    processes: list[subprocess.Popen[str]] = []

    def start(side: str, *args: str) -> None:
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "django", *args],
                env=env(side),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                text=True,
            )
        )

    def state() -> tuple[dict[str, Any], dict[str, Any]]:
        runs = [
            subprocess.Popen(
                [sys.executable, "-c", CHILD, "state"],
                env=env(side),
                stdout=subprocess.PIPE,
                text=True,
            )
            for side in ("a", "b")
        ]
        a, b = (json.loads(run.communicate(timeout=60)[0]) for run in runs)
        return a, b

    def wait_for(requester: str | None, supplier: str | None) -> None:
        deadline = time.monotonic() + 90
        while True:
            a, b = state()
            if a["requester"] == requester and b["supplier"] == supplier:
                return
            assert not a["failed"] and not b["failed"], (a, b)
            assert time.monotonic() < deadline, (a, b, requester, supplier)
            time.sleep(0.3)

    try:
        for side, other in (("a", "b"), ("b", "a")):
            child(
                side,
                "setup",
                codes[side],
                codes[other],
                f"http://127.0.0.1:{ports[other]}/iso18626",
            )
            start(side, "serve", "--port", str(ports[side]))
            start(side, "worker", "--interval", "0.2", "--heartbeat", "1")
        for side in ("a", "b"):
            for _ in range(100):
                try:
                    requests.get(f"http://127.0.0.1:{ports[side]}/health", timeout=2)
                    break
                except requests.ConnectionError:
                    time.sleep(0.2)
        child("a", "request", "A-LIB")
        child("a", "act-req", "A-LIB", "validate")
        child("a", "act-req", "A-LIB", "send")
        wait_for("sent", "new")  # the Request crossed to B over HTTP
        steps = [
            ("b", "act-sup", "will_supply", "expects_to_supply", "will_supply"),
            ("b", "act-sup", "ship", "shipped", "shipped"),
            ("a", "act-req", "receive", "received", "shipped"),
            ("a", "act-req", "check_out", "checked_out", "shipped"),
            ("a", "act-req", "patron_returned", "returned_by_patron", "shipped"),
            ("a", "act-req", "ship_return", "return_shipped", "shipped"),
            ("b", "act-sup", "check_in", "completed", "checked_in"),
            ("b", "act-sup", "complete", "completed", "completed"),
        ]
        for side, kind, action, requester, supplier in steps:
            child(side, kind, codes[side], action)
            wait_for(requester, supplier)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        for drop in drops:
            drop()
