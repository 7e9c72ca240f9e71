"""Citations of collection items (APA 7 in Thai and English, BibTeX, RIS), their downloads,
and the link to the union catalog's cluster of the same work. Both databases."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.template import Context, Template
from django.test import Client, RequestFactory

from libcoop.catalog.ingest import import_file
from libcoop.catalog.models import BibRecord
from libcoop.network.abilities import SYSTEM
from libcoop.repository import citation
from libcoop.repository.models import Access, Item, ItemStatus
from tests.catalog.marcdata import book, write
from tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db
URL = "https://libcoop.example.org/repository/7/"


@pytest.fixture
def library() -> Any:
    return InstitutionFactory(
        code="MFU-LIB", name_th="สำนักหอสมุด มหาวิทยาลัยแม่ฟ้าหลวง", name_en="MFU Library"
    )


def thesis(library: Any, **kwargs: Any) -> Item:
    fields: dict[str, Any] = {
        "item_type": "thesis",
        "title": "การจัดการขยะในชุมชนเชียงราย",
        "title_alternative": "Waste management in Chiang Rai communities",
        "creators": ["ใจดี, สมชาย", "Smith, John Robert"],
        "contributors": [{"name": "วิไล รักเรียน", "role": "advisor"}],
        "year": 2023,
        "degree_level": "master",
        "degree_grantor": "มหาวิทยาลัยแม่ฟ้าหลวง",
        "status": ItemStatus.PUBLISHED,
        "keywords_th": ["ขยะ", "ชุมชน"],
        "abstract_en": "A study of household waste & recycling.",
        "identifiers": {"isbn": ["978-616-00-0001-2"]},
    }
    fields.update(kwargs)
    return Item.objects.create(institution=library, **fields)


def test_apa_in_thai_and_english_for_a_masters_thesis(library: Any) -> None:
    item = thesis(library)
    assert citation.apa(item, URL, "th") == (
        "สมชาย ใจดี และ Smith, J. R. (2566). การจัดการขยะในชุมชนเชียงราย "
        "[วิทยานิพนธ์ปริญญามหาบัณฑิต, มหาวิทยาลัยแม่ฟ้าหลวง]. คลังข้อมูลดิจิทัล LibCoop. " + URL
    )
    assert citation.apa(item, URL, "en") == (
        "สมชาย ใจดี, & Smith, J. R. (2023). การจัดการขยะในชุมชนเชียงราย "
        "[Waste management in Chiang Rai communities] [Master's thesis, "
        "มหาวิทยาลัยแม่ฟ้าหลวง]. LibCoop Digital Collection. " + URL
    )
    html = citation.apa_html(item, URL, "th")
    assert "<i>การจัดการขยะในชุมชนเชียงราย</i>" in html


def test_apa_names_years_and_other_types(library: Any) -> None:
    assert citation.apa_name("Smith, John Robert") == "Smith, J. R."
    assert citation.apa_name("Jean-Paul Sartre") == "Sartre, J.-P."
    assert citation.apa_name("ใจดี, สมชาย") == "สมชาย ใจดี"
    assert citation.apa_name("สมชาย ใจดี") == "สมชาย ใจดี"  # Thai names as written
    three = thesis(
        library,
        creators=["Brown, Alice", "Lee, Ann", "Wong, Peter"],
        degree_level="doctoral",
        title="Green libraries in Thailand",
        title_alternative="",
        language="eng",
        identifiers={"doi": "https://doi.org/10.1234/abc.5"},
    )
    assert citation.apa(three, URL, "en") == (
        "Brown, A., Lee, A., & Wong, P. (2023). Green libraries in Thailand [Doctoral "
        "dissertation, มหาวิทยาลัยแม่ฟ้าหลวง]. LibCoop Digital Collection. "
        "https://doi.org/10.1234/abc.5"
    )
    assert citation.apa(three, URL, "th").startswith("Brown, A., Lee, A., และ Wong, P. (2566).")
    article = thesis(
        library,
        item_type="article",
        degree_level="",
        title="Reading habits of students",
        title_alternative="",
        language="eng",
        creators=["Boonmee, Somsak"],
        identifiers={},
        extra={
            "dc.relation.ispartof": "Journal of Library Science",
            "dc.citation.volume": "12",
            "dc.citation.issue": "2",
            "dc.citation.spage": "45",
            "dc.citation.epage": "60",
        },
    )
    assert citation.apa(article, URL, "en") == (
        "Boonmee, S. (2023). Reading habits of students. Journal of Library Science, 12(2), "
        "45–60. " + URL
    )
    assert "<i>Journal of Library Science</i>, 12(2)" in citation.apa_html(article, URL, "en")
    local = thesis(
        library,
        item_type="local_information",
        degree_level="",
        creators=[],
        title="ประเพณีตานก๋วยสลาก",
        publisher="",
        identifiers={},
    )
    assert citation.apa(local, URL, "th") == (
        "ประเพณีตานก๋วยสลาก [ข้อมูลท้องถิ่น]. (2566). สำนักหอสมุด มหาวิทยาลัยแม่ฟ้าหลวง. "
        "คลังข้อมูลดิจิทัล LibCoop. " + URL
    )


@pytest.mark.parametrize(
    ("changes", "entry"),
    [
        ({"degree_level": "doctoral"}, "@phdthesis{"),
        ({}, "@mastersthesis{"),
        ({"degree_level": "bachelor"}, "@misc{"),
        ({"item_type": "research_report", "degree_level": ""}, "@techreport{"),
        ({"item_type": "article", "degree_level": ""}, "@article{"),
        ({"item_type": "archival_document", "degree_level": ""}, "@misc{"),
    ],
)
def test_bibtex_entry_types(library: Any, changes: dict[str, str], entry: str) -> None:
    assert citation.bibtex(thesis(library, **changes), URL).startswith(entry)


def test_bibtex_fields_and_escaping(library: Any) -> None:
    item = thesis(library, title="Rice & water: 100% local_information")
    text = citation.bibtex(item, URL)
    assert text.startswith(f"@mastersthesis{{libcoop2023-{item.pk},\n")
    assert "  author = {{สมชาย ใจดี} and Smith, John Robert},\n" in text
    assert r"  title = {Rice \& water: 100\% local\_information}," in text
    assert "  school = {มหาวิทยาลัยแม่ฟ้าหลวง}," in text
    assert "  year = {2023}," in text and f"  url = {{{URL}}}," in text
    assert text.count("{") == text.count("}")
    english = thesis(library, creators=["Wong, Peter"], title="Solar", title_alternative="")
    assert citation.bibtex_key(english) == f"wong2023-{english.pk}"


def test_ris_lines(library: Any) -> None:
    text = citation.ris(thesis(library), URL)
    lines = text.split("\r\n")
    assert lines[0] == "TY  - THES" and lines[-2] == "ER  - " and lines[-1] == ""
    assert "AU  - ใจดี, สมชาย" in lines and "AU  - Smith, John Robert" in lines
    assert "A3  - วิไล รักเรียน" in lines and "PY  - 2023" in lines
    assert "M3  - Master's thesis" in lines and f"UR  - {URL}" in lines
    assert "KW  - ขยะ" in lines and "SN  - 978-616-00-0001-2" in lines
    report = citation.ris(thesis(library, item_type="research_report", degree_level=""), URL)
    assert report.startswith("TY  - RPRT\r\n")
    article = citation.ris(thesis(library, item_type="article", degree_level=""), URL)
    assert article.startswith("TY  - JOUR\r\n")
    local = citation.ris(thesis(library, item_type="local_information", degree_level=""), URL)
    assert local.startswith("TY  - GEN\r\n")


def test_downloads_follow_the_access_rule(library: Any) -> None:
    item = thesis(library, access=Access.EMBARGO, embargo_until=dt.date(2099, 1, 1))
    client = Client()
    bib = client.get(f"/repository/{item.pk}/cite.bib")
    assert bib.status_code == 200  # an embargo hides the files, never the metadata
    assert bib["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert f'filename="libcoop-repository-{item.pk}.bib"' in bib["Content-Disposition"]
    assert bib.content.decode().startswith("@mastersthesis{")
    ris = client.get(f"/repository/{item.pk}/cite.ris")
    assert ris.status_code == 200 and ris.content.decode().startswith("TY  - THES")
    draft = thesis(library, status=ItemStatus.SUBMITTED)
    withdrawn = thesis(library, status=ItemStatus.WITHDRAWN)
    assert client.get(f"/repository/{draft.pk}/cite.bib").status_code == 404
    assert client.get(f"/repository/{withdrawn.pk}/cite.ris").status_code == 404
    assert client.get("/repository/999999/cite.bib").status_code == 404


def _render(item: Item) -> str:
    request = RequestFactory().get("/")
    template = Template('{% include "repository/_citation.html" %}')
    return template.render(Context({"item": item, "request": request}))


def test_the_citation_block_links_to_the_catalogs_cluster_of_the_same_work(
    library: Any, tmp_path: Path
) -> None:
    other = InstitutionFactory(code="CRRU-LIB")
    import_file(
        write(
            tmp_path / "crru.mrc",
            book("c1", "Waste management in Chiang Rai", isbn="9786160000012", year=2023),
            book("c2", "Solar energy handbook", author="Wong, Peter.", year=2020),
        ),
        other,
        acting_user=SYSTEM,
    )
    by_isbn = thesis(library)
    by_title = thesis(
        library, title="Solar energy handbook", creators=["Wong, Peter"], identifiers={}
    )
    nowhere = thesis(library, title="Not catalogued", identifiers={})
    clusters = dict(BibRecord.objects.values_list("local_id", "cluster_id"))
    assert citation.catalog_cluster(by_isbn) == clusters["c1"]
    assert citation.catalog_cluster(by_title) == clusters["c2"]
    assert citation.catalog_cluster(nowhere) is None
    html = _render(by_isbn)
    assert f'href="/catalog/clusters/{clusters["c1"]}/"' in html
    assert "<i>การจัดการขยะในชุมชนเชียงราย</i>" in html
    assert f'href="/repository/{by_isbn.pk}/cite.bib"' in html
    assert 'id="catalog-cluster"' not in _render(nowhere)
