"""``libcoop ill agencies`` and ``libcoop ill peer add``."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from libcoop.audit.models import AuditEvent
from libcoop.ill import services
from libcoop.ill.models import Agency
from tests.factories import InstitutionFactory
from tests.ill.conftest import Net


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("ill", *args, stdout=out)
    return out.getvalue()


def test_agencies_lists_member_libraries_sorted_by_code(net: Net) -> None:
    services.add_peer("ISIL:US-PEER", "https://peer.example.org/iso18626")
    Agency.objects.create(id_type="ISIL", id_value="TH-OLD", active=False, name="retired")
    zzz = InstitutionFactory(code="AAA-LIB")
    Agency.objects.create(id_type="OCLC", id_value="AAA1", institution=zzz)
    lines = _run("agencies").splitlines()
    assert lines == [
        "AAA-LIB\tOCLC:AAA1",
        "BOR-LIB\tISIL:BOR-LIB",
        "LEN1-LIB\tISIL:LEN1-LIB",
        "LEN2-LIB\tISIL:LEN2-LIB",
        "OUT-LIB\tISIL:OUT-LIB",
    ]


def test_agencies_prints_nothing_when_no_library_takes_part(db: None) -> None:
    assert _run("agencies") == ""


def test_peer_add_configures_an_outside_peer_and_is_audited(db: None) -> None:
    out = _run(
        "peer",
        "add",
        "ISIL:US-EX",
        "https://ill.example.org/iso18626",
        "--name",
        "Example ReShare",
        "--version",
        "1.2",
    )
    agency = Agency.objects.get(id_type="ISIL", id_value="US-EX")
    assert (agency.endpoint, agency.name, agency.version) == (
        "https://ill.example.org/iso18626",
        "Example ReShare",
        "1.2",
    )
    assert agency.institution is None and not agency.local
    assert out == "ISIL:US-EX\thttps://ill.example.org/iso18626\t1.2\n"
    assert AuditEvent.objects.filter(object_id=str(agency.pk)).count() == 1
    # Again with another URL: the same agency, changed; the default version is 2021-2.
    _run("peer", "add", "ISIL:US-EX", "https://ill2.example.org/iso18626")
    agency.refresh_from_db()
    assert Agency.objects.filter(id_value="US-EX").count() == 1
    assert (agency.endpoint, agency.version) == ("https://ill2.example.org/iso18626", "2021-2")
    assert "US-EX" not in _run("agencies")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("US-EX", "https://ill.example.org/"), "TYPE:VALUE"),
        (("ISIL:US-EX", "not a url"), "URL"),
    ],
)
def test_peer_add_refuses_bad_input_and_writes_nothing(
    db: None, args: tuple[str, ...], message: str
) -> None:
    with pytest.raises(CommandError, match=message):
        _run("peer", "add", *args)
    assert not Agency.objects.exists()


def test_peer_add_refuses_an_unknown_version(db: None) -> None:
    with pytest.raises(CommandError):
        _run("peer", "add", "ISIL:US-EX", "https://ill.example.org/", "--version", "3.0")
    assert not Agency.objects.exists()
