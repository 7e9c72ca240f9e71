"""The catalog search page keeps the user's place (#16): pagination, facets, sort and the
filters in force all live in one canonical query string, and codes are shown as words."""

from __future__ import annotations

import io
import re
from html import unescape
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import translation

from tests.catalog.marcdata import book, write

pytestmark = pytest.mark.django_db


@pytest.fixture
def many(libraries, tmp_path: Path) -> None:
    """45 'green' books at AAA (odd ones Thai), the first ten also at BBB; one without author."""
    libraries["AAA-LIB"].short_name = "มอบ."
    libraries["AAA-LIB"].save()
    a = [
        book(
            f"a{n}",
            f"Green library {n}",
            lang="tha" if n % 2 else "eng",
            year=2000 + n % 10,
            author=None if n == 41 else f"Author{n}, A.",
        )
        for n in range(45)
    ]
    b = [book(f"b{n}", f"Green library {n}", year=2000 + n % 10) for n in range(10)]
    call_command(
        "catalog",
        "import",
        str(write(tmp_path / "a.mrc", *a)),
        "--library",
        "AAA-LIB",
        stdout=io.StringIO(),
    )
    call_command(
        "catalog",
        "import",
        str(write(tmp_path / "b.mrc", *b)),
        "--library",
        "BBB-LIB",
        stdout=io.StringIO(),
    )


def _get(params: dict[str, str] | str, lang: str = "en") -> str:
    client = Client()
    if isinstance(params, str):
        path = params if params.startswith("/") else "/catalog/" + params
        response = client.get(path, HTTP_ACCEPT_LANGUAGE=lang)
    else:
        response = client.get("/catalog/", params, HTTP_ACCEPT_LANGUAGE=lang)
    assert response.status_code == 200
    return response.content.decode()


def _links(html: str, where: str) -> list[str]:
    """The hrefs inside the element with id *where*."""
    start = html.index(f'id="{where}"')
    end = html.index("</nav>" if where == "pagination" else "</aside>", start)
    return [unescape(h) for h in re.findall(r'href="([^"]*)"', html[start:end])]


def _params(href: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(href).query)


def test_pagination_never_repeats_a_parameter(many) -> None:
    html = _get({"q": "green", "sort": "-year", "page": "2"})
    links = _links(html, "pagination")
    assert links, "page 2 of 3 has links"
    for href in links:
        keys = [k for k, _ in _params(href)]
        assert len(keys) == len(set(keys)), href
        assert ("sort", "-year") in _params(href) and ("q", "green") in _params(href)
    pages = {dict(_params(h)).get("page", "1") for h in links}
    assert pages == {"1", "3"}
    assert "page 2 of 3" in html


def test_a_page_past_the_end_shows_the_last_page(many) -> None:
    html = _get({"q": "green", "page": "999"})
    assert "45 works found" in html
    assert html.count('class="card"') == 5  # 45 = 20 + 20 + 5
    assert "page 3 of 3" in html
    assert "page=1000" not in html and "page=4" not in html
    assert 'rel="next"' not in html


def test_facet_links_keep_query_filters_and_sort(many) -> None:
    html = _get({"q": "green", "sort": "year", "language": "tha", "page": "2"})
    facet_links = _links(html, "facets")
    library_links = [h for h in facet_links if "library=" in h]
    assert library_links
    for href in library_links:
        got = dict(_params(href))
        assert got["q"] == "green" and got["sort"] == "year" and got["language"] == "tha"
        assert "page" not in got  # a new filter starts at page 1


def test_active_filters_are_shown_and_each_can_be_cleared(many) -> None:
    html = _get({"q": "green", "language": "tha", "library": "BBB-LIB", "sort": "year"})
    start = html.index('id="active-filters"')
    block = html[start : html.index("</p>", start)]
    assert "Language: Thai" in block
    hrefs = [unescape(h) for h in re.findall(r'href="([^"]*)"', block)]
    clear_library, clear_language, clear_all = hrefs  # in the filters' order
    assert dict(_params(clear_language)) == {"q": "green", "library": "BBB-LIB", "sort": "year"}
    assert dict(_params(clear_library)) == {"q": "green", "language": "tha", "sort": "year"}
    assert dict(_params(clear_all)) == {"q": "green", "sort": "year"}
    assert "active-filters" not in _get(clear_all)


def test_labels_are_words_in_the_page_language(many) -> None:
    english = _get({"q": "green"})
    facets = english[english.index('id="facets"') : english.index("</aside>")]
    assert ">Thai<" in facets and ">English<" in facets and ">Book<" in facets
    assert ">tha<" not in facets and ">book<" not in facets
    assert "มอบ." in facets  # the short name
    assert "Test University Library" in facets  # no short name: the name
    assert ">BBB-LIB<" not in facets
    thai = _get({"q": "green"}, lang="th")
    facets = thai[thai.index('id="facets"') : thai.index("</aside>")]
    assert ">ไทย<" in facets and ">อังกฤษ<" in facets
    with translation.override("th"):
        assert f">{translation.gettext('Book')}<" in facets  # หนังสือ from the catalogue
    assert ">book<" not in facets
    assert ">ห้องสมุดมหาวิทยาลัยทดสอบ" in facets


def test_a_record_without_author_does_not_start_with_a_separator(many) -> None:
    html = _get({"q": "green", "sort": "year"})
    lines = re.findall(r'<span class="muted">([^<]*)</span><br>', html)
    assert lines and not any(line.strip().startswith("·") for line in lines)
    assert "2001 · Book" in lines  # record a41: no author


def test_permalink_is_canonical(many) -> None:
    html = _get("?sort=year&q=green&field=&page=1&language=eng&junk=1")
    link = unescape(re.search(r'id="permalink" href="([^"]*)"', html).group(1))
    assert link == "?q=green&language=eng&sort=year"


def test_cluster_page_explains_the_merge_in_words(libraries, tmp_path: Path) -> None:
    for code, local in (("AAA-LIB", "x1"), ("BBB-LIB", "y1")):
        path = write(tmp_path / f"{local}.mrc", book(local, "Energy saving in libraries"))
        call_command("catalog", "import", str(path), "--library", code, stdout=io.StringIO())
    alone = write(tmp_path / "z.mrc", book("z1", "Anonymous notes", author=None, lang="tha"))
    call_command("catalog", "import", str(alone), "--library", "CCC-LIB", stdout=io.StringIO())
    from libcoop.catalog.models import BibRecord

    cluster = BibRecord.objects.get(local_id="y1").cluster_id
    assert BibRecord.objects.get(local_id="x1").cluster_id == cluster
    html = _get(f"/catalog/clusters/{cluster}/")
    table = html[
        html.index('id="decisions"') : html.index("</table>", html.index('id="decisions"'))
    ]
    visible = re.sub(r"<details.*?</details>", "", table, flags=re.S)
    assert "First record of this edition" in visible
    assert "Same title, author and year" in visible
    assert "title difference 0 (identical)" in visible
    for code in ("new_cluster", "title_author_year", "title_distance"):
        assert code not in visible
        assert code in table  # one click away, in the <details>
    header = html[html.index("<h1") : html.index("</p>", html.index("<h1"))]
    assert "Book" in header and "English" in header and ">book" not in header
    other = BibRecord.objects.get(local_id="z1").cluster_id
    thai = _get(f"/catalog/clusters/{other}/", lang="th")
    line = re.search(r'<p class="muted">([^<]*)</p>', thai).group(1)
    assert not line.strip().startswith("·") and "ไทย" in line


def test_the_result_list_downloads_as_csv_and_ris(many) -> None:
    html = _get({"q": "green", "language": "tha", "sort": "year", "page": "2"})
    links = [
        unescape(h)
        for h in re.findall(
            r'href="([^"]*)"', html[html.index('id="export"') :].split("</span>")[0]
        )
    ]
    assert [dict(_params(h))["export"] for h in links] == ["csv", "ris"]
    client = Client()
    csv_response = client.get("/catalog/" + links[0], HTTP_ACCEPT_LANGUAGE="en")
    body = csv_response.content.decode("utf-8")
    assert body.startswith("\ufeff") and csv_response["Content-Type"].startswith("text/csv")
    lines = body[1:].strip().splitlines()
    assert len(lines) == 1 + 22  # every Thai result (not the page only), with a header
    assert "Thai" in lines[1] and "Book" in lines[1]
    ris = client.get("/catalog/" + links[1]).content.decode()
    assert ris.count("TY  - BOOK") == 22 and ris.count("ER  - ") == 22
    assert "/catalog/clusters/" in ris
