"""A client we did not write: Index Data's ``yaz-client`` (Debian package ``yaz``) runs
explain, searchRetrieve (SRU 1.2 and 2.0), present and scan against /sru on a live server.

yaz-client is driven non-interactively: the server URL on its command line, its commands on
standard input (``sru get 1.2``, ``explain``, ``find CQL``, ``show N+M``, ``schema S``,
``scan CQL``, ``quit``).  Its output has one ``Z>`` prompt per command, so it is split there
and each command's output is checked on its own.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from tests.interop.conftest_sru import GREEN_ISBN, NS, THAI_TITLE, Catalog, load_catalog

YAZ = shutil.which("yaz-client")
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        YAZ is None, reason="yaz-client not found: install the Debian package 'yaz' (CI does)"
    ),
]


def yaz(url: str, *commands: str) -> list[str]:
    """The output of each command (index 0: the first command), from one yaz-client run."""
    assert YAZ is not None
    script = "\n".join([*commands, "quit"]) + "\n"
    env = {**os.environ, "LANG": "C.UTF-8"}
    done = subprocess.run(
        [YAZ, url], input=script.encode(), capture_output=True, timeout=60, check=False, env=env
    )
    out = done.stdout.decode("utf-8", "replace")
    assert done.returncode == 0, out + done.stderr.decode("utf-8", "replace")
    assert out.startswith("Connecting...OK."), out
    return out.split("Z> ")[1 : len(commands) + 1]


def hits(output: str) -> int:
    found = re.findall(r"Number of hits: (\d+)", output)
    assert found, output
    return int(found[-1])


def xml_lines(output: str, start: str) -> list[Any]:
    return [
        etree.fromstring(line.encode()) for line in output.splitlines() if line.startswith(start)
    ]


def record_ids(output: str) -> list[int]:
    ids = []
    for record in xml_lines(output, "<marc:record"):
        ids.append(int(record.findtext("marc:controlfield[@tag='001']", namespaces=NS)[7:]))
    return ids


@pytest.fixture
def catalog(tmp_path: Path) -> Catalog:
    return load_catalog(tmp_path)


def test_yaz_client_explain_search_and_show_over_sru_1_2(
    live_server: Any, catalog: Catalog
) -> None:
    explain, word, shown, exact, shown_exact, isbn, bad, scan = yaz(
        f"{live_server.url}/sru",
        "sru get 1.2",
        "explain",
        "find dc.title=ห้องสมุด",
        "show 1+2",
        f'find dc.title="{THAI_TITLE}"',
        "show 1",
        f'find bath.isbn="{GREEN_ISBN}"',
        "find foo.bar=x",
        "scan dc.title=green",
    )[1:]
    record = xml_lines(explain, "<zr:explain")
    assert len(record) == 1
    names = record[0].xpath("//zr:index/zr:map/zr:name/text()", namespaces=NS)
    assert {"title", "creator", "subject", "isbn", "issn", "identifier"} <= set(names)

    assert hits(word) == 2
    assert sorted(record_ids(shown)) == sorted([catalog["a1"], catalog["b3"]])
    assert "pos=2 schema=info:srw/schema/1/marcxml-v1.1" in shown

    assert hits(exact) == 1
    (marc,) = xml_lines(shown_exact, "<marc:record")
    title = marc.findtext("marc:datafield[@tag='245']/marc:subfield[@code='a']", namespaces=NS)
    assert title.startswith(THAI_TITLE)
    assert record_ids(shown_exact) == [catalog["a1"]]

    assert hits(isbn) == 1
    assert "SRW diagnostic info:srw/diagnostic/1/15" in bad and hits(bad) == 0
    assert "Green energy: 1" in scan and "Green libraries: 1" in scan


def test_yaz_client_over_sru_2_0_with_dublin_core(live_server: Any, catalog: Catalog) -> None:
    found, shown, syntax = yaz(
        f"{live_server.url}/sru",
        "sru get 2.0",
        "schema dc",
        "find dc.title=ห้องสมุด and dc.creator=สมชาย",
        "show 1",
        "find dc.title = (",
    )[2:]
    assert hits(found) == 1
    (dc,) = xml_lines(shown, "<srw_dc:dc")
    assert dc.findtext("dc:title", namespaces=NS) == THAI_TITLE
    assert "pos=1 schema=info:srw/schema/1/dc-v1.1" in shown
    assert "SRW diagnostic info:srw/diagnostic/1/10" in syntax
