"""How to cite an item of the digital collection: APA 7th edition in Thai and in English,
BibTeX and RIS; and the union catalog's cluster of the same work, if it holds one.

APA in English (APA 7, §§ 9–10): "Surname, A. B., & Surname, C. (2023). *Title* [Master's
thesis, Grantor]. Repository. URL". Names written in Latin script are inverted with initials;
names in Thai script are given in full as written (Thai names are not inverted or shortened).
A work whose title is not in English gets its English title in square brackets after it
(APA 7 § 9.38), when the item has one.

APA in Thai (as Thai university libraries teach it): the same order, Thai descriptions in the
brackets ("[วิทยานิพนธ์ปริญญามหาบัณฑิต, ...]"), "และ" between the last two authors, and the
year in the Buddhist Era ("(2566)"). A name in Latin script is still inverted with initials.

BibTeX: ``@phdthesis`` (doctoral), ``@mastersthesis`` (master's), ``@techreport`` (research
report), ``@article`` (article), ``@misc`` (anything else, a bachelor's project included).
RIS: ``TY  - THES`` / ``RPRT`` / ``JOUR`` / ``GEN``; lines end in CRLF as the RIS format says.

An article's journal is read from the qualified DC in ``Item.extra``:
``dc.relation.ispartof`` (journal), ``dc.citation.volume``, ``dc.citation.issue``,
``dc.citation.spage``/``epage``; a report's number from ``dc.relation.ispartofseries``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from libcoop.catalog import queries as catalog_queries
from libcoop.core.era import BE_OFFSET
from libcoop.repository.models import DegreeLevel, Item, ItemType

REPOSITORY_NAME = {"en": "LibCoop Digital Collection", "th": "คลังข้อมูลดิจิทัล LibCoop"}
_THAI = re.compile(r"[\u0e00-\u0e7f]")
_DEGREE_EN: dict[str, str] = {
    DegreeLevel.DOCTORAL: "Doctoral dissertation",
    DegreeLevel.MASTER: "Master's thesis",
    DegreeLevel.BACHELOR: "Bachelor's thesis",
}
_DEGREE_TH: dict[str, str] = {
    DegreeLevel.DOCTORAL: "วิทยานิพนธ์ปริญญาดุษฎีบัณฑิต",
    DegreeLevel.MASTER: "วิทยานิพนธ์ปริญญามหาบัณฑิต",
    DegreeLevel.BACHELOR: "ปริญญานิพนธ์ปริญญาบัณฑิต",
}
_TYPE_EN: dict[str, str] = {
    ItemType.THESIS: "Thesis",
    ItemType.RESEARCH_REPORT: "Research report",
    ItemType.ARTICLE: "Article",
    ItemType.LOCAL_INFORMATION: "Local information",
    ItemType.ARCHIVAL_DOCUMENT: "Archival document",
}
_TYPE_TH: dict[str, str] = {
    ItemType.THESIS: "วิทยานิพนธ์",
    ItemType.RESEARCH_REPORT: "รายงานการวิจัย",
    ItemType.ARTICLE: "บทความ",
    ItemType.LOCAL_INFORMATION: "ข้อมูลท้องถิ่น",
    ItemType.ARCHIVAL_DOCUMENT: "เอกสารจดหมายเหตุ",
}


def is_thai(text: str) -> bool:
    return bool(_THAI.search(text))


def _initials(given: str) -> str:
    """ "John Robert" → "J. R."; "Jean-Paul" → "J.-P." """
    out = []
    for word in given.replace(".", " ").split():
        parts = [p for p in word.split("-") if p]
        out.append("-".join(f"{p[0].upper()}." for p in parts))
    return " ".join(out)


def apa_name(name: str) -> str:
    """One author for APA: Latin "Surname, Given" → "Surname, G."; Thai as written, in
    direct order ("ใจดี, สมชาย" is turned back into "สมชาย ใจดี")."""
    name = " ".join(name.split()).strip(" ,")
    if not name:
        return ""
    surname, comma, given = name.partition(",")
    surname, given = surname.strip(), given.strip()
    if is_thai(name):
        return f"{given} {surname}" if comma and given else name
    if not comma:  # "John Smith" (direct order, as written): the last word is the surname
        words = surname.split()
        if len(words) < 2:
            return surname
        surname, given = words[-1], " ".join(words[:-1])
    return f"{surname}, {_initials(given)}" if given else surname


def _join_names(names: Sequence[str], lang: str) -> str:
    """APA 7: up to 20 authors, "&" (Thai: "และ") before the last; more: 19, …, the last."""
    names = [n for n in names if n]
    if len(names) > 20:
        names = [*names[:19], "…", names[-1]]
        return ", ".join(names[:-1]) + " " + names[-1]
    if len(names) <= 1:
        return "".join(names)
    last = "และ" if lang == "th" else "&"
    if len(names) == 2:
        sep = " " if lang == "th" else ", "
        return f"{names[0]}{sep}{last} {names[1]}"
    return ", ".join(names[:-1]) + f", {last} " + names[-1]


def _period(text: str) -> str:
    return text if text.endswith((".", "?", "!", "…")) else text + "."


def _extra(item: Item, name: str) -> str:
    value = (item.extra or {}).get(name, "")
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value).strip()


def _doi(item: Item) -> str:
    doi = str((item.identifiers or {}).get("doi", "") or "").strip()
    doi = re.sub(r"^(https?://(dx\.)?doi\.org/|doi:)", "", doi, flags=re.IGNORECASE)
    return f"https://doi.org/{doi}" if doi else ""


def _isbns(item: Item) -> list[str]:
    value = (item.identifiers or {}).get("isbn", [])
    values = value if isinstance(value, list) else [value]
    return [str(v).strip() for v in values if str(v).strip()]


@dataclass(frozen=True)
class Citations:
    apa_en: str
    apa_th: str
    bibtex: str
    ris: str
    apa_en_html: str  # the same with the title (or journal) in <i>, escaped
    apa_th_html: str


def _apa(item: Item, url: str, lang: str) -> tuple[str, str, str]:
    """(before the italic part, the italic part, after it) of an APA reference."""
    authors = _join_names([apa_name(c) for c in item.creators or []], lang)
    year = str(item.year + BE_OFFSET) if lang == "th" else str(item.year)
    no_date = "ม.ป.ป." if lang == "th" else "n.d."
    when = f"({year or no_date})."
    title = item.title.strip()
    translated = ""
    foreign = is_thai(title) or item.language not in ("eng", "")
    if lang == "en" and foreign and item.title_alternative and not is_thai(item.title_alternative):
        translated = f" [{item.title_alternative.strip()}]"
    grantor = item.degree_grantor or item.institution.name_in(lang)
    repository = REPOSITORY_NAME[lang]
    link = _doi(item) or url
    # no author: the title moves to the author's place (APA 7 § 9.12)
    head = f"{_period(authors)} {when} " if authors else ""
    tail_parts: list[str] = []
    if item.item_type == ItemType.ARTICLE and _extra(item, "dc.relation.ispartof"):
        # Title. *Journal*, volume(issue), pages.
        journal = _extra(item, "dc.relation.ispartof")
        volume, issue = _extra(item, "dc.citation.volume"), _extra(item, "dc.citation.issue")
        spage, epage = _extra(item, "dc.citation.spage"), _extra(item, "dc.citation.epage")
        before = head + _period(title + translated) + " " + ("" if authors else f"{when} ")
        after = f", {volume}" if volume else ""
        after += f"({issue})" if issue else ""
        after += f", {spage}–{epage}" if spage and epage else (f", {spage}" if spage else "")
        after += "."
        if link:
            after += f" {link}"
        return before, journal, after
    if item.item_type == ItemType.THESIS:
        labels = _DEGREE_TH if lang == "th" else _DEGREE_EN
        fallback = _TYPE_TH[ItemType.THESIS] if lang == "th" else "Thesis"
        kind = labels.get(item.degree_level, fallback)
        described = f"[{kind}, {grantor}]"
        tail_parts.append(repository)
    elif item.item_type == ItemType.RESEARCH_REPORT:
        number = _extra(item, "dc.relation.ispartofseries")
        described = f"({'รายงานเลขที่' if lang == 'th' else 'Report No.'} {number})" if number else ""
        tail_parts.append(item.publisher or item.institution.name_in(lang))
    else:
        kind = (_TYPE_TH if lang == "th" else _TYPE_EN).get(item.item_type, "")
        described = f"[{kind}]"
        tail_parts.append(item.publisher or item.institution.name_in(lang))
        if tail_parts[-1] != repository:
            tail_parts.append(repository)
    italic = title
    after = translated + (f" {described}" if described else "") + "."
    if not authors:
        after += f" {when}"
    tail = " ".join(_period(p) for p in dict.fromkeys(p for p in tail_parts if p))
    after += f" {tail}" if tail else ""
    if link:
        after += f" {link}"
    return head, italic, after


def apa(item: Item, url: str, lang: str) -> str:
    before, italic, after = _apa(item, url, lang)
    return f"{before}{italic}{after}".strip()


def apa_html(item: Item, url: str, lang: str) -> str:
    from django.utils.html import escape

    before, italic, after = _apa(item, url, lang)
    return f"{escape(before)}<i>{escape(italic)}</i>{escape(after)}".strip()


# ------------------------------------------------------------------ BibTeX

_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "^": r"\^{}",
    "~": r"\~{}",
}


def _bib(value: str) -> str:
    value = " ".join(str(value).split())
    return "".join(_BIBTEX_SPECIAL.get(c, c) for c in value)


def bibtex_type(item: Item) -> str:
    if item.item_type == ItemType.THESIS:
        return {DegreeLevel.DOCTORAL: "phdthesis", DegreeLevel.MASTER: "mastersthesis"}.get(
            DegreeLevel(item.degree_level or ""), "misc"
        )
    return {ItemType.RESEARCH_REPORT: "techreport", ItemType.ARTICLE: "article"}.get(
        ItemType(item.item_type), "misc"
    )


def bibtex_key(item: Item) -> str:
    """ASCII only (classic BibTeX keys): the first author's Latin surname, the year, the id."""
    first = (item.creators or [""])[0].split(",")[0]
    ascii_name = unicodedata.normalize("NFKD", first).encode("ascii", "ignore").decode()
    name = re.sub(r"[^A-Za-z]", "", ascii_name).lower()[:20]
    return f"{name or 'libcoop'}{item.year}-{item.pk}"


def _bibtex_name(name: str) -> str:
    """BibTeX reads "Surname, Given"; a Thai name is one unit in braces (no inversion)."""
    name = " ".join(name.split()).strip(" ,")
    if is_thai(name):
        return "{" + _bib(apa_name(name)) + "}"
    return _bib(name)


def bibtex(item: Item, url: str) -> str:
    kind = bibtex_type(item)
    fields: list[tuple[str, str]] = []
    names = [_bibtex_name(c) for c in item.creators or [] if c.strip()]
    if names:
        fields.append(("author", " and ".join(names)))
    fields.append(("title", _bib(item.title)))
    if item.title_alternative:
        fields.append(("titleaddon", _bib(item.title_alternative)))
    grantor = item.degree_grantor or item.institution.name_in("en")
    if kind in ("phdthesis", "mastersthesis"):
        fields.append(("school", _bib(grantor)))
    elif kind == "techreport":
        fields.append(("institution", _bib(item.publisher or item.institution.name_in("en"))))
        if _extra(item, "dc.relation.ispartofseries"):
            fields.append(("number", _bib(_extra(item, "dc.relation.ispartofseries"))))
    elif kind == "article":
        for name, key in (
            ("journal", "dc.relation.ispartof"),
            ("volume", "dc.citation.volume"),
            ("number", "dc.citation.issue"),
        ):
            if _extra(item, key):
                fields.append((name, _bib(_extra(item, key))))
        spage, epage = _extra(item, "dc.citation.spage"), _extra(item, "dc.citation.epage")
        if spage:
            fields.append(("pages", _bib(f"{spage}--{epage}" if epage else spage)))
    else:
        if item.item_type == ItemType.THESIS:
            fields.append(("type", _bib(_DEGREE_EN.get(item.degree_level, "Thesis"))))
            fields.append(("school", _bib(grantor)))
        else:
            fields.append(("howpublished", _bib(_TYPE_EN.get(item.item_type, ""))))
        if item.publisher:
            fields.append(("publisher", _bib(item.publisher)))
    fields.append(("year", str(item.year)))
    doi = str((item.identifiers or {}).get("doi", "") or "").strip()
    if doi:
        fields.append(("doi", _bib(re.sub(r"^(https?://(dx\.)?doi\.org/|doi:)", "", doi))))
    isbns = _isbns(item)
    if isbns:
        fields.append(("isbn", _bib(isbns[0])))
    fields.append(("url", _bib(url)))
    keywords = [*(item.keywords_th or []), *(item.keywords_en or [])]
    if keywords:
        fields.append(("keywords", _bib(", ".join(keywords))))
    fields.append(("language", {"tha": "thai", "eng": "english"}.get(item.language, item.language)))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@{kind}{{{bibtex_key(item)},\n{body}\n}}\n"


# ------------------------------------------------------------------ RIS

_RIS_TYPE = {
    ItemType.THESIS: "THES",
    ItemType.RESEARCH_REPORT: "RPRT",
    ItemType.ARTICLE: "JOUR",
}


def _ris_line(tag: str, value: str) -> str:
    value = " ".join(str(value).split())
    return f"{tag}  - {value}\r\n" if value else ""


def ris(item: Item, url: str) -> str:
    lines = [_ris_line("TY", _RIS_TYPE.get(ItemType(item.item_type), "GEN"))]
    lines += [_ris_line("AU", c) for c in item.creators or []]
    for person in item.contributors or []:
        if isinstance(person, dict) and person.get("role") in ("advisor", "coadvisor"):
            lines.append(_ris_line("A3", str(person.get("name", ""))))
    lines.append(_ris_line("TI", item.title))
    if item.title_alternative:
        lines.append(_ris_line("TT", item.title_alternative))
    lines.append(_ris_line("PY", str(item.year)))
    if item.issued:
        lines.append(_ris_line("DA", item.issued.strftime("%Y/%m/%d")))
    if item.item_type == ItemType.ARTICLE:
        lines.append(_ris_line("JO", _extra(item, "dc.relation.ispartof")))
        lines.append(_ris_line("VL", _extra(item, "dc.citation.volume")))
        lines.append(_ris_line("IS", _extra(item, "dc.citation.issue")))
        lines.append(_ris_line("SP", _extra(item, "dc.citation.spage")))
        lines.append(_ris_line("EP", _extra(item, "dc.citation.epage")))
    if item.item_type == ItemType.THESIS:
        lines.append(_ris_line("PB", item.degree_grantor or item.institution.name_in("en")))
        lines.append(_ris_line("M3", _DEGREE_EN.get(item.degree_level, "Thesis")))
    else:
        lines.append(_ris_line("PB", item.publisher or item.institution.name_in("en")))
    if item.item_type == ItemType.RESEARCH_REPORT:
        lines.append(_ris_line("SN", _extra(item, "dc.relation.ispartofseries")))
    for isbn in _isbns(item):
        lines.append(_ris_line("SN", isbn))
    doi = _doi(item)
    if doi:
        lines.append(_ris_line("DO", doi.removeprefix("https://doi.org/")))
    lines.append(_ris_line("AB", item.abstract_en or item.abstract_th))
    lines += [_ris_line("KW", k) for k in [*(item.keywords_th or []), *(item.keywords_en or [])]]
    lines.append(_ris_line("LA", item.language))
    lines.append(_ris_line("DB", REPOSITORY_NAME["en"]))
    lines.append(_ris_line("UR", url))
    lines.append("ER  - \r\n")
    return "".join(lines)


# ------------------------------------------------------------------ all of them


def citations(item: Item, url: str) -> Citations:
    """Every form of the citation of *item*, whose page is at *url* (absolute)."""
    return Citations(
        apa_en=apa(item, url, "en"),
        apa_th=apa(item, url, "th"),
        bibtex=bibtex(item, url),
        ris=ris(item, url),
        apa_en_html=apa_html(item, url, "en"),
        apa_th_html=apa_html(item, url, "th"),
    )


def catalog_cluster(item: Item) -> int | None:
    """The union catalog's cluster of the same work (by ISBN, else title and an author)."""
    return catalog_queries.cluster_for_work(_isbns(item), item.title, list(item.creators or []))
