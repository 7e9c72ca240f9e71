"""A digital-collection item (``repository.queries.PublicItem``) as the records harvesters and
SRU clients read: MARC 21 (for ``marc21`` / MARCXML) and simple Dublin Core (for ``oai_dc``
and SRU's ``dc``). One crosswalk for both protocols.

Dublin Core follows the DRIVER / OpenAIRE guidelines that repository aggregators read:
``dc:type`` carries ``info:eu-repo/semantics/...`` (masterThesis, doctoralThesis,
bachelorThesis, report, article, other) besides DCMI ``Text`` and the type in words;
``dc:rights`` carries ``info:eu-repo/semantics/openAccess`` / ``restrictedAccess`` /
``embargoedAccess`` and, while embargoed, ``dc:date`` carries
``info:eu-repo/date/embargoEnd/YYYY-MM-DD``.

MARC 21 (bibliographic, Library of Congress field definitions):

===== ================================================================================
001   ``repository-<id>``
008   date entered, ``s`` + year, place ``th``, form of item ``o`` (online), nature of
      contents ``m`` for a thesis, language
020   ISBN;  024 7_ $2 doi: DOI
100   first author (ind. 1: ``1`` for "Surname, Given", ``0`` for a name in direct order,
      as Thai names are); 700 the others; 700 $e thesis advisor $4 ths for advisors
245   title; 246 31 the title in the other language (parallel title)
264   _1 $b publisher (a thesis: the degree grantor) $c year
336-8 text / computer / online resource (RDA)
502   $b degree $c grantor $d year $g discipline (theses)
506   access: ``0`` open (``$f Unrestricted online access``), ``1`` restricted, with the
      embargo's end in $g
520   3_ abstracts (Thai, English)
540   rights statement, licence ($f, $u the licence's URL)
653   keywords (Thai and English) and the discipline
655   _7 the type of the item ($2 local)
710   2_ degree grantor $4 dgg
852   the depositing library ($a code, $b name)
856   40 each file when anyone may read it ($u, $q type, $3 label); 42 the item page
===== ================================================================================
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pymarc
from pymarc import Field, Indicators, Subfield

from libcoop.repository.queries import PublicItem

_THAI = re.compile(r"[\u0e00-\u0e7f]")
TYPE_WORDS = {
    "thesis": "Thesis",
    "research_report": "Research report",
    "article": "Article",
    "local_information": "Local information",
    "archival_document": "Archival document",
}
_SEMANTICS = {
    "research_report": "report",
    "article": "article",
}
_THESIS_SEMANTICS = {
    "doctoral": "doctoralThesis",
    "master": "masterThesis",
    "bachelor": "bachelorThesis",
}
LICENCE_URLS = {
    "CC-BY-4.0": "https://creativecommons.org/licenses/by/4.0/",
    "CC-BY-SA-4.0": "https://creativecommons.org/licenses/by-sa/4.0/",
    "CC-BY-NC-4.0": "https://creativecommons.org/licenses/by-nc/4.0/",
    "CC-BY-NC-ND-4.0": "https://creativecommons.org/licenses/by-nc-nd/4.0/",
    "CC0-1.0": "https://creativecommons.org/publicdomain/zero/1.0/",
}
DEGREE_WORDS = {
    "doctoral": "Doctoral degree",
    "master": "Master's degree",
    "bachelor": "Bachelor's degree",
}

Urls = Callable[[PublicItem], tuple[str, dict[int, str]]]


def semantics_type(item: PublicItem) -> str:
    if item.item_type == "thesis":
        name = _THESIS_SEMANTICS.get(item.degree_level, "other")
    else:
        name = _SEMANTICS.get(item.item_type, "other")
    return f"info:eu-repo/semantics/{name}"


def access_right(item: PublicItem) -> str:
    name = {"open": "openAccess", "embargo": "embargoedAccess"}.get(item.access, "restrictedAccess")
    return f"info:eu-repo/semantics/{name}"


def access_statement(item: PublicItem) -> str:
    if item.access == "open":
        return "Open access"
    if item.access == "embargo" and item.embargo_until is not None:
        return f"Embargoed until {item.embargo_until.isoformat()}: metadata only"
    if item.access == "network":
        return "Files restricted to the member libraries of its networks: metadata only"
    return "Files restricted to the depositing institution: metadata only"


def dublin_core(
    item: PublicItem, page_url: str, file_urls: dict[int, str]
) -> list[tuple[str, str]]:
    """``(element, value)`` pairs in the order of the DCMI element set, without repeats."""
    out: list[tuple[str, str]] = [("title", item.title)]
    if item.title_alternative:
        out.append(("title", item.title_alternative))
    out += [("creator", name) for name in item.creators]
    out += [("subject", k) for k in (*item.keywords_th, *item.keywords_en)]
    if item.discipline:
        out.append(("subject", item.discipline))
    out += [("description", text) for text in (item.abstract_th, item.abstract_en) if text]
    if item.item_type == "thesis":
        degree = item.degree_name or DEGREE_WORDS.get(item.degree_level, "")
        statement = " -- ".join(p for p in (degree, item.degree_grantor, str(item.year)) if p)
        out.append(("description", f"Thesis ({statement})"))
    out.append(("publisher", item.publisher or item.degree_grantor or item.library_name_en))
    out += [("contributor", c.name) for c in item.contributors]
    out.append(("date", item.issued.isoformat() if item.issued else str(item.year)))
    if item.embargo_until is not None:
        out.append(("date", f"info:eu-repo/date/embargoEnd/{item.embargo_until.isoformat()}"))
    out += [
        ("type", "Text"),
        ("type", TYPE_WORDS.get(item.item_type, "")),
        ("type", semantics_type(item)),
    ]
    out += [("format", f.content_type) for f in item.files]
    out.append(("identifier", page_url))
    out += [("identifier", file_urls[f.id]) for f in item.files if f.id in file_urls]
    isbns = [re.sub(r"[^0-9Xx]", "", i).upper() for i in item.isbns]
    out += [("identifier", f"urn:isbn:{isbn}") for isbn in isbns if isbn]
    if item.doi:
        out.append(("identifier", f"https://doi.org/{_bare_doi(item.doi)}"))
    out += [("identifier", uri) for uri in item.uris]
    out.append(("language", item.language))
    for element, values in item.extra:
        name = element.removeprefix("dc.").split(".")[0]
        if name in ("relation", "coverage", "source"):
            out += [(name, v) for v in values]
    out.append(("rights", access_right(item)))
    if item.rights:
        out.append(("rights", item.rights))
    out.append(("rights", LICENCE_URLS.get(item.licence, item.licence)))
    seen: set[tuple[str, str]] = set()
    pairs = []
    for name, value in out:
        value = " ".join(str(value).split())
        if value and (name, value) not in seen:
            seen.add((name, value))
            pairs.append((name, value))
    return pairs


def _bare_doi(doi: str) -> str:
    return re.sub(r"^(https?://(dx\.)?doi\.org/|doi:)", "", doi.strip(), flags=re.IGNORECASE)


def _field(tag: str, ind: str, *pairs: tuple[str, str]) -> Field:
    return Field(
        tag=tag,
        indicators=Indicators(ind[0], ind[1]),
        subfields=[
            Subfield(code, " ".join(value.split())) for code, value in pairs if value.strip()
        ],
    )


def _name_indicator(name: str) -> str:
    return "1" if "," in name and not _THAI.search(name) else "0"


def marc(item: PublicItem, page_url: str, file_urls: dict[int, str]) -> pymarc.Record:
    """The MARC 21 bibliographic record of *item* (see the table in the module's docstring)."""
    record = pymarc.Record(force_utf8=True)
    kind = "t" if item.item_type == "archival_document" else "a"
    record.leader = pymarc.Leader(f"00000n{kind}m a2200000 i 4500")
    record.add_field(Field(tag="001", data=f"repository-{item.id}"))
    entered = item.updated.strftime("%y%m%d")
    nature = "m   " if item.item_type == "thesis" else "    "
    lang = (item.language + "   ")[:3]
    # 00-05 entered, 06 s, 07-10 year, 11-14 -, 15-17 place, 18-22 -, 23 form o (online),
    # 24-27 nature of contents, 28 -, 29-31 conference, festschrift, index 0, 32 -,
    # 33 literary form 0, 34 -, 35-37 language, 38 -, 39 cataloguing source d (other)
    data = f"{entered}s{item.year:04d}    th      o{nature} 000 0 {lang} d"
    record.add_field(Field(tag="008", data=data))
    for isbn in item.isbns:
        record.add_field(_field("020", "  ", ("a", re.sub(r"[^0-9Xx]", "", isbn).upper())))
    if item.doi:
        record.add_field(_field("024", "7 ", ("a", _bare_doi(item.doi)), ("2", "doi")))
    creators = list(item.creators)
    if creators:
        record.add_field(
            _field("100", _name_indicator(creators[0]) + " ", ("a", creators[0]), ("e", "author"))
        )
    record.add_field(_field("245", ("1" if creators else "0") + "0", ("a", item.title)))
    if item.title_alternative:
        record.add_field(_field("246", "31", ("a", item.title_alternative)))
    publisher = item.degree_grantor if item.item_type == "thesis" else item.publisher
    record.add_field(
        _field("264", " 1", ("b", publisher or item.library_name_en), ("c", str(item.year)))
    )
    record.add_field(_field("336", "  ", ("a", "text"), ("b", "txt"), ("2", "rdacontent")))
    record.add_field(_field("337", "  ", ("a", "computer"), ("b", "c"), ("2", "rdamedia")))
    record.add_field(
        _field("338", "  ", ("a", "online resource"), ("b", "cr"), ("2", "rdacarrier"))
    )
    if item.item_type == "thesis":
        degree = item.degree_name or DEGREE_WORDS.get(item.degree_level, "")
        record.add_field(
            _field(
                "502",
                "  ",
                ("b", degree),
                ("c", item.degree_grantor),
                ("d", str(item.year)),
                ("g", item.discipline),
            )
        )
    if item.access == "open":
        record.add_field(
            _field(
                "506",
                "0 ",
                ("a", "Open access"),
                ("f", "Unrestricted online access"),
                ("2", "star"),
            )
        )
    else:
        until = item.embargo_until.isoformat() if item.embargo_until else ""
        record.add_field(_field("506", "1 ", ("a", access_statement(item)), ("g", until)))
    for text in (item.abstract_th, item.abstract_en):
        if text.strip():
            record.add_field(_field("520", "3 ", ("a", text)))
    licence_url = LICENCE_URLS.get(item.licence, "")
    record.add_field(
        _field("540", "  ", ("a", item.rights), ("f", item.licence), ("u", licence_url))
    )
    for keyword in (*item.keywords_th, *item.keywords_en, item.discipline):
        if keyword:
            record.add_field(_field("653", " 0", ("a", keyword)))
    record.add_field(_field("655", " 7", ("a", TYPE_WORDS.get(item.item_type, "")), ("2", "local")))
    for name in creators[1:]:
        record.add_field(_field("700", _name_indicator(name) + " ", ("a", name), ("e", "author")))
    for person in item.contributors:
        relator = {
            "advisor": ("thesis advisor", "ths"),
            "coadvisor": ("thesis advisor", "ths"),
        }.get(person.role, (person.role or "contributor", "ctb"))
        record.add_field(
            _field(
                "700",
                _name_indicator(person.name) + " ",
                ("a", person.name),
                ("e", relator[0]),
                ("4", relator[1]),
            )
        )
    if item.item_type == "thesis" and item.degree_grantor:
        record.add_field(
            _field(
                "710",
                "2 ",
                ("a", item.degree_grantor),
                ("e", "degree granting institution"),
                ("4", "dgg"),
            )
        )
    record.add_field(_field("852", "  ", ("a", item.library_code), ("b", item.library_name_en)))
    for f in item.files:
        if f.id in file_urls:
            record.add_field(
                _field(
                    "856",
                    "40",
                    ("3", f.label or f.name),
                    ("q", f.content_type),
                    ("u", file_urls[f.id]),
                )
            )
    record.add_field(_field("856", "42", ("3", "Item page"), ("u", page_url)))
    for field in list(record.fields):  # a value that cleaned to nothing leaves no empty field
        if not field.is_control_field() and not field.subfields:
            record.remove_field(field)
    return record
