"""An import's problem report a librarian can act on (#16): reasons in plain words with the
technical detail one click away, record numbers beside offsets, the right message for
records without 001, a CSV download and a list of the records loaded."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from libcoop.catalog.import_report import PLAIN
from libcoop.catalog.models import ImportJob
from libcoop.network.models import StaffRole
from tests.catalog.marcdata import book, write
from tests.factories import staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(libraries, tmp_path: Path) -> tuple[Client, ImportJob]:
    """Record 1 good, 2 broken, 3 and 4 identical and without 001."""
    no_001 = book("x", "Untitled notes")
    no_001.remove_fields("001")
    good = write(tmp_path / "a.mrc", book("a1", "Green")).read_bytes()
    broken = b"00050nam  2200025   4500\x1e\x1d"
    twins = write(tmp_path / "b.mrc", no_001, no_001).read_bytes()
    client = Client()
    client.force_login(staff(StaffRole.LIBRARIAN, libraries["AAA-LIB"]))
    response = client.post(
        "/catalog/import/",
        {"file": SimpleUploadedFile("mixed.mrc", good + broken + twins), "kind": "records"},
    )
    assert response.status_code == 302
    return client, ImportJob.objects.get()


def _problems(html: str) -> list[str]:
    table = html[html.index('id="problems"') : html.index("</table>", html.index('id="problems"'))]
    return re.findall(r"<tr><td>.*?</tr>", table, flags=re.S)


def test_the_report_speaks_plain_words_with_record_numbers(job) -> None:
    client, import_job = job
    html = client.get(f"/catalog/imports/{import_job.pk}/", HTTP_ACCEPT_LANGUAGE="en").content
    page = html.decode()
    rows = _problems(page)
    assert len(rows) == 2
    numbers = [re.match(r"<tr><td>(\d+)</td><td>(\d+)</td>", r).groups() for r in rows]
    assert [n for n, _ in numbers] == ["2", "3"]  # the record's number in the file
    assert int(numbers[0][1]) > 0  # beside its byte offset
    assert "Record no." in page and "Byte offset" in page
    visible = [re.sub(r"<details>.*?</details>", "", r, flags=re.S) for r in rows]
    assert str(PLAIN["duplicate_no_001"]) in visible[1]
    assert "has the same 001" not in page
    assert "no 001 either and identical content" in rows[1]  # the detail, one click away
    for row, plain in zip(visible, rows, strict=True):
        assert "<details>" in plain and "_" not in re.sub(r"<[^>]*>", "", row)  # no codes


def test_the_thai_page_gives_the_reasons_from_the_catalogue(job) -> None:
    client, import_job = job
    page = client.get(f"/catalog/imports/{import_job.pk}/", HTTP_ACCEPT_LANGUAGE="th")
    with translation.override("th"):
        expected = str(PLAIN["duplicate_no_001"])  # the Thai sentence, once in the catalogue
    assert expected in page.content.decode()


def test_the_report_downloads_as_csv_for_excel(job) -> None:
    client, import_job = job
    response = client.get(
        f"/catalog/imports/{import_job.pk}/problems.csv", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:])))
    assert rows[0][:3] == ["Record no.", "Byte offset", "001"]
    assert [r[0] for r in rows[1:]] == ["2", "3"]
    assert rows[2][4] == "duplicate_no_001"
    # Another library's staff see nothing, not even that the job exists.
    other = Client()
    other.force_login(
        staff(StaffRole.LIBRARIAN, import_job.library.__class__.objects.get(code="BBB-LIB"))
    )
    assert other.get(f"/catalog/imports/{import_job.pk}/problems.csv").status_code == 404
    assert other.get(f"/catalog/imports/{import_job.pk}/records/").status_code == 404


def test_the_records_added_are_one_click_away(job) -> None:
    client, import_job = job
    page = client.get(f"/catalog/imports/{import_job.pk}/", HTTP_ACCEPT_LANGUAGE="en").content
    link = re.search(r'id="job-records" href="([^"]*)"', page.decode()).group(1)
    listing = client.get(link, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert ">a1<" in listing and "Green" in listing
    assert "2 records added or updated" in listing  # a1 and the kept twin


def test_a_decoding_error_is_explained_as_an_encoding_problem() -> None:
    from libcoop.catalog.import_report import plain_reason

    detail = "UnicodeDecodeError: 'ascii' codec can't decode byte 0xc3 in position 4"
    with translation.override("en"):
        assert plain_reason("bad_fields", detail) == str(PLAIN["bad_encoding"])
        assert "character encoding" in plain_reason("bad_fields", detail)


def test_a_job_that_failed_on_encoding_says_so_in_words(libraries) -> None:
    failed = ImportJob.objects.create(
        library=libraries["AAA-LIB"],
        source_name="old.mrc",
        status="failed",
        message="'ascii' codec can't decode byte 0xc3 in position 12: ordinal not in range(128)",
    )
    client = Client()
    client.force_login(staff(StaffRole.LIBRARIAN, libraries["AAA-LIB"]))
    page = client.get(f"/catalog/imports/{failed.pk}/", HTTP_ACCEPT_LANGUAGE="en").content
    block = page.decode().split('id="job-message"')[1].split("</div>")[0]
    visible = re.sub(r"<details>.*?</details>", "", block, flags=re.S)
    assert "character encoding" in visible and "codec" not in visible
    assert "codec can&#x27;t decode byte 0xc3" in block  # one click away
