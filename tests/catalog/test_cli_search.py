"""`libcoop catalog search` (#16): a readable table by default (no internal score), JSON Lines
with --json, --limit that says when there are more (it stopped silently at 20 and refused to
run without --json)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.catalog.marcdata import book, write

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog(libraries, tmp_path: Path) -> None:
    a = write(
        tmp_path / "a.mrc",
        book("a1", "Green library design", year=2019),
        book("a2", "Library buildings of the north", year=1990, author="Suda, Chai."),
        book("a3", "การจัดการห้องสมุดสีเขียว", author=None, lang="tha", year=2562),
    )
    b = write(tmp_path / "b.mrc", book("b1", "Green library design", year=2019))
    call_command("catalog", "import", str(a), "--library", "AAA-LIB", stdout=io.StringIO())
    call_command("catalog", "import", str(b), "--library", "BBB-LIB", stdout=io.StringIO())


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("catalog", "search", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_table_by_default(catalog: None) -> None:
    out, _err = run("library")
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["Cluster", "Year", "Libraries"]
    assert "Title" in lines[0] and "Author" in lines[0]
    body = "\n".join(lines[1:])
    assert "Green library design" in body and "AAA-LIB, BBB-LIB" in body
    assert "Library buildings of the north" in body and "1990" in body
    assert "score" not in out.lower() and "1000" not in out  # no internal score
    assert lines[-1] == "2 clusters."


def test_thai_table_shows_buddhist_era_years(catalog: None) -> None:
    out, _err = run("ห้องสมุด", "--lang", "th")
    assert "การจัดการห้องสมุดสีเขียว" in out and "2562" in out and "2019" not in out


def test_limit_says_when_there_are_more(catalog: None) -> None:
    out, _err = run("library", "--limit", "1")
    assert len(out.splitlines()) == 3  # header, one row, the note
    assert out.splitlines()[-1] == "1 of 2 clusters shown; --limit 2 shows them all."
    with pytest.raises(CommandError, match="--limit must be between 1 and"):
        run("library", "--limit", "0")


def test_json_lines_with_json(catalog: None) -> None:
    out, err = run("library", "--json", "--limit", "1")
    (line,) = out.splitlines()
    hit = json.loads(line)
    assert hit["title"] in ("Green library design", "Library buildings of the north")
    assert "1 of 2 clusters shown" in err  # the note on standard error, not in the JSON
    out, err = run("library", "--json")
    assert len(out.splitlines()) == 2 and err == ""


def test_nothing_found(catalog: None) -> None:
    out, _err = run("zzzzqqq")
    assert out.strip() == "No clusters found."
