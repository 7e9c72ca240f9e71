"""The "true" works behind the demo union catalog, before any library catalogues them.

A deduplication set is only useful if we know which records describe the same book, so
the generator first invents (or, for the English seeds, copies) a list of ``Work``s with
their real identifiers, and only afterwards lets each library write its own record of a
work (``records``). Hard negatives are made here on purpose, because they are what a
matcher gets wrong: later editions (same title and author, new year and ISBN), volumes of
a set (same title, consecutive ISBNs) and unrelated books with the same generic title.

Thai titles keep "|" between words so that the record writer can drop it or turn it into
U+200B (zero-width space), as text pasted from word processors does.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field, replace
from functools import cache
from importlib.resources import files
from typing import Any

__all__ = ["GeneratorOptions", "Person", "Publisher", "Work", "build_works", "vocabulary"]

LAST_YEAR = 2024  # newest publication year (CE) in the demo data


@cache
def vocabulary(name: str) -> Any:
    """A JSON word list from ``libcoop/catalog/demo/data`` (read once, shared, never mutated)."""
    text = files("libcoop.catalog.demo").joinpath("data", name).read_text(encoding="utf-8")
    return json.loads(text)


@dataclass(frozen=True)
class GeneratorOptions:
    """How often each kind of work (and each hard negative) is generated."""

    thai_share: float = 0.55  # of composed works; the English seeds come on top
    serial_rate: float = 0.02
    eresource_rate: float = 0.015
    generic_rate: float = 0.03  # families of distinct works sharing a generic title
    volumes_rate: float = 0.02  # multi-volume sets
    edition_rate: float = 0.08  # works that also get later editions
    isbn_absent_scale: float = 1.0  # multiplies the per-record chance of leaving out 020
    # Share of book records whose year is one off the other copies' (the library keyed a
    # printing date). Off by default: the union catalog's rules (issue: "publication years
    # that differ ... reject a match") treat such copies as different editions, so the
    # labelled set follows that definition; bench/dedup.py measures the effect separately.
    year_slip_rate: float = 0.0
    holdings_weights: tuple[float, ...] = (0.38, 0.26, 0.17, 0.12, 0.07)  # 1..5 libraries


LABELLED_OPTIONS = GeneratorOptions(
    generic_rate=0.06, volumes_rate=0.03, edition_rate=0.12, isbn_absent_scale=1.8
)


@dataclass(frozen=True)
class Person:
    """An author. Thai (and romanised Thai) names are entered in direct order."""

    forename: str
    surname: str
    dates: str | None  # "1950-" (CE) or, for Thai-script names, Buddhist era "2505-"
    direct_order: bool
    middle: str = ""  # an English middle initial, which some records leave out
    title: str = ""  # Thai academic title, only ever in 245 $c

    def natural(self) -> str:
        """The name as printed on the title page ("John A. Smith", "สมชาย ใจดี")."""
        given = f"{self.forename} {self.middle}".strip()
        return f"{given} {self.surname}".strip()


@dataclass(frozen=True)
class Publisher:
    """A publisher: name forms, places, ISBN group ("616", "0" ...) and subject focus."""

    names: tuple[str, ...]
    places: tuple[str, ...]
    group: str
    domains: tuple[str, ...] = ()


@dataclass
class Work:
    """One edition of one book (or one serial / online resource): a ``work_id`` in truth."""

    work_id: str
    lang: str  # "tha" or "eng"
    kind: str  # "book", "serial" or "electronic"
    domain: str
    title: str  # Thai: words joined by "|"
    subtitle: str | None
    authors: tuple[Person, ...]
    publisher: Publisher
    place: str
    year: int  # CE
    pages: int | None
    isbn: tuple[str, ...] | None = None  # (prefix, group, registrant, publication, check)
    issn: str | None = None
    oclc: str | None = None
    main_entry: bool = True  # False: the authors are 7XX added entries only
    edition: int = 1
    volume: int | None = None
    responsibility: str | None = None  # verbatim 245 $c for seed records
    subjects: tuple[str, ...] = ()
    lc_class: str = "Z665"
    dewey: str = "020"
    cutter: int = 500
    illustrated: bool = False
    bibliography: tuple[int, int] | None = None
    height: int = 24
    family: str = ""  # e.g. "edition:F00012": works that are hard negatives for each other
    source: str = "composed"
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def isbn13(self) -> str | None:
        return "".join(self.isbn) if self.isbn else None

    @property
    def nonfiling(self) -> int:
        """245 second indicator: skip an English initial article."""
        if self.lang != "eng":
            return 0
        for article in ("The ", "An ", "A "):
            if self.title.startswith(article):
                return len(article)
        return 0


def isbn13_check(first12: str) -> str:
    """EAN-13 check digit (weights 1, 3, 1, 3 ...)."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first12))
    return str((10 - total % 10) % 10)


def isbn10_check(first9: str) -> str:
    """ISBN-10 check character (mod 11, 10 written X)."""
    check = (11 - sum((10 - i) * int(d) for i, d in enumerate(first9)) % 11) % 11
    return "X" if check == 10 else str(check)


def _plain(text: str) -> str:
    return text.replace("|", "")


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


class _Identifiers:
    """Unique synthetic ISBNs (valid check digits), ISSNs and OCLC numbers."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.registrants: dict[tuple[str, str], str] = {}
        self.counters: dict[tuple[str, str], int] = {}
        self.used: set[str] = set()

    def isbn(self, publisher: Publisher, group: str) -> tuple[str, str, str, str, str]:
        key = (publisher.names[0], group)
        body = 9 - len(group)  # registrant + publication digits
        if key not in self.registrants:
            length = self.rng.randint(2, body - 3)  # >= 1000 numbers each
            self.registrants[key] = str(self.rng.randrange(10 ** (length - 1), 10**length))
            self.counters[key] = self.rng.randrange(10 ** (body - length) // 3)
        registrant = self.registrants[key]
        while True:
            self.counters[key] += self.rng.randint(1, 3)
            number = self.counters[key] % 10 ** (body - len(registrant))
            publication = str(number).zfill(body - len(registrant))
            first12 = f"978{group}{registrant}{publication}"
            if first12 not in self.used:
                self.used.add(first12)
                return ("978", group, registrant, publication, isbn13_check(first12))

    def issn(self) -> str:
        while True:
            digits = f"{self.rng.randrange(10**6, 10**7):07d}"
            if digits not in self.used:
                self.used.add(digits)
                total = sum((8 - i) * int(d) for i, d in enumerate(digits))
                check = (11 - total % 11) % 11
                return f"{digits[:4]}-{digits[4:]}{'X' if check == 10 else check}"

    def oclc(self) -> str:
        while True:
            number = str(self.rng.randrange(10**7, 2 * 10**9))
            if "o" + number not in self.used:
                self.used.add("o" + number)
                return number


def isbn10_of(parts: tuple[str, ...]) -> str:
    """Hyphenated ISBN-10 for a 978 ISBN split into its elements."""
    _prefix, group, registrant, publication, _check = parts
    check = isbn10_check(group + registrant + publication)
    return f"{group}-{registrant}-{publication}-{check}"


class _Builder:
    """Stateful work factory; every random choice goes through one ``random.Random``."""

    def __init__(self, rng: random.Random, options: GeneratorOptions) -> None:
        self.rng = rng
        self.ids = _Identifiers(rng)
        self.domains: dict[str, dict[str, Any]] = vocabulary("demo_domains.json")["domains"]
        self.th = vocabulary("demo_vocab_th.json")
        self.en = vocabulary("demo_vocab_en.json")
        self.th_pubs = [self._publisher(p, "") for p in self.th["publishers"]]
        self.en_pubs = [self._publisher(p, p["group"]) for p in self.en["publishers"]]
        self.titles: set[tuple[str, str | None]] = set()
        self.family_count = 0

    @staticmethod
    def _publisher(raw: dict[str, Any], group: str) -> Publisher:
        return Publisher(tuple(raw["names"]), tuple(raw["places"]), group, tuple(raw["domains"]))

    # ------------------------------------------------------------------ people

    def thai_person(self) -> Person:
        rng = self.rng
        if rng.random() < 0.6:
            surname = rng.choice(self.th["surnames"])
        else:
            prefix, suffix = rng.choice(self.th["surname_prefixes"]), ""
            while not suffix or suffix == prefix:
                suffix = rng.choice(self.th["surname_suffixes"])
            surname = prefix + suffix
        title = rng.choice(self.th["academic_titles"]) if rng.random() < 0.35 else ""
        dates = f"{rng.randint(2490, 2530)}-"
        return Person(rng.choice(self.th["forenames"]), surname, dates, True, title=title)

    def english_person(self, thai_share: float) -> Person:
        rng = self.rng
        born = f"{rng.randint(1935, 1988)}-"
        if rng.random() < thai_share:
            return Person(
                rng.choice(self.en["thai_forenames_roman"]),
                rng.choice(self.en["thai_surnames_roman"]),
                born,
                True,
            )
        middle = rng.choice(self.en["middle_initials"]) if rng.random() < 0.4 else ""
        return Person(
            rng.choice(self.en["forenames"]), rng.choice(self.en["surnames"]), born, False, middle
        )

    def authors(self, lang: str, domain: str) -> tuple[Person, ...]:
        count = self.rng.choices((0, 1, 2, 3), weights=(7, 70, 18, 5))[0]
        local = 0.6 if domain in ("lanna", "history", "buddhism", "agriculture") else 0.25
        make = self.thai_person if lang == "tha" else lambda: self.english_person(local)
        return tuple(make() for _ in range(count))

    # ------------------------------------------------------------------ works

    def _year(self, start: int) -> int:
        return LAST_YEAR - int((LAST_YEAR - start) * self.rng.random() ** 1.5)

    def _pick_publisher(self, lang: str, domain: str) -> Publisher:
        pubs = self.th_pubs if lang == "tha" else self.en_pubs
        weights = [4.0 if domain in p.domains else (1.0 if not p.domains else 0.03) for p in pubs]
        return self.rng.choices(pubs, weights=weights)[0]

    def _title(self, lang: str, domain: str) -> tuple[str, str | None]:
        rng, spec = self.rng, self.domains[domain]
        for _ in range(50):
            topic = rng.choice(spec["th" if lang == "tha" else "en"])
            if lang == "tha":
                province = rng.choice(self.th["provinces"])
                title = rng.choice(self.th["title_patterns"]).format(t=topic, p=province)
                sub = rng.choice(self.th["subtitles"]) if rng.random() < 0.35 else None
                subtitle = sub.format(p=province) if sub else None
            else:
                pattern = rng.choice(self.en["title_patterns"])
                title = pattern.format(t=topic, T=_cap(topic))
                subtitle = rng.choice(self.en["subtitles"]) if rng.random() < 0.4 else None
            if (title, subtitle) not in self.titles:
                self.titles.add((title, subtitle))
                return title, subtitle
        raise RuntimeError("title vocabulary exhausted; add topics or patterns")

    def book(self, lang: str, domain: str | None = None) -> Work:
        rng = self.rng
        if domain is None:
            weights = [spec["weight"] for spec in self.domains.values()]
            domain = rng.choices(list(self.domains), weights=weights)[0]
        spec = self.domains[domain]
        title, subtitle = self._title(lang, domain)
        publisher = self._pick_publisher(lang, domain)
        year = self._year(1988 if lang == "tha" else 1982)
        work = Work(
            work_id="",
            lang=lang,
            kind="book",
            domain=domain,
            title=title,
            subtitle=subtitle,
            authors=self.authors(lang, domain),
            publisher=publisher,
            place=rng.choice(publisher.places),
            year=year,
            pages=rng.randint(80, 520) if lang == "tha" else rng.randint(120, 880),
            lc_class=rng.choice(spec["lc"]),
            dewey=spec["dewey"],
            cutter=rng.randint(100, 999),
            illustrated=rng.random() < 0.55,
            height=rng.choice((21, 24, 24, 26, 30) if lang == "tha" else (23, 24, 25, 26)),
        )
        if rng.random() < 0.5:
            self._bibliography(work)
        work.subjects = self._subjects(lang, domain, title)
        self._identify(work)
        return work

    def _bibliography(self, work: Work) -> None:
        """Pages of the bibliography: the last few pages of the book."""
        pages = work.pages or 100
        work.bibliography = (pages - self.rng.randint(6, 30), pages)

    def _subjects(self, lang: str, domain: str, title: str) -> tuple[str, ...]:
        """Topic heading (sometimes subdivided by place) plus the domain's broad heading."""
        spec, rng = self.domains[domain], self.rng
        vocab = spec["th" if lang == "tha" else "en"]
        topics = [t for t in vocab if _plain(t).lower() in _plain(title).lower()]
        topic = _plain(topics[0] if topics else rng.choice(vocab))
        if lang == "eng":
            topic = _cap(topic.removeprefix("the "))
        place = ("ไทย", "ไทย (ภาคเหนือ)") if lang == "tha" else ("Thailand", "Thailand, Northern")
        heading = f"{topic} -- {rng.choice(place)}" if rng.random() < 0.4 else topic
        broad = spec["subject_th" if lang == "tha" else "subject_en"]
        return (heading, broad) if broad != topic else (heading,)

    def _identify(self, work: Work) -> None:
        """ISBN (most books), OCLC number (most English books)."""
        rng = self.rng
        if work.lang == "tha":
            group = "974" if work.year < 2007 or rng.random() < 0.15 else "616"
            has_isbn = rng.random() > (0.12 if "วิจัย" not in work.title else 0.6)
        else:
            group = work.publisher.group
            has_isbn = work.year >= 1975 and rng.random() > 0.03
        if has_isbn:
            work.isbn = self.ids.isbn(work.publisher, group)
        if rng.random() < (0.7 if work.lang == "eng" else 0.12):
            work.oclc = self.ids.oclc()

    # ------------------------------------------------------------------ families

    def _family(self, kind: str) -> str:
        self.family_count += 1
        return f"{kind}:F{self.family_count:05d}"

    def editions(self, lang: str) -> list[Work]:
        """A book and 1-2 later editions: same title and author, new year, pages and ISBN."""
        base = self.book(lang)
        later = self.rng.choice((1, 1, 2))
        base.year = min(base.year, LAST_YEAR - 3 * later - self.rng.randint(0, 6))
        base.family = self._family("edition")
        base.isbn = None
        self._identify(base)  # the year may have moved across 2007 (974 -> 616)
        works, year = [base], base.year
        for number in range(2, 2 + later):
            year += self.rng.randint(2, 3)
            pages = int((base.pages or 200) * self.rng.uniform(1.0, 1.15))
            works.append(
                replace(
                    base, edition=number, year=year, pages=pages, isbn=None, oclc=None, extra={}
                )
            )
            self._identify(works[-1])
            if base.bibliography:
                self._bibliography(works[-1])
        return works

    def volumes(self, lang: str) -> list[Work]:
        """A multi-volume set: one work per volume, consecutive ISBNs, same title/author."""
        base = self.book(lang)
        base.family = self._family("volumes")
        works = []
        for number in range(1, self.rng.randint(2, 4) + 1):
            pages = self.rng.randint(150, 600)
            isbn = self.ids.isbn(base.publisher, base.isbn[1]) if base.isbn else None
            works.append(replace(base, volume=number, pages=pages, isbn=isbn, oclc=None, extra={}))
            if base.bibliography:
                self._bibliography(works[-1])
        return works

    def generic(self, lang: str) -> list[Work]:
        """2-4 unrelated textbooks whose title is the same generic phrase."""
        vocab = self.th if lang == "tha" else self.en
        title, lc, dewey, subject = self.rng.choice(vocab["generic_titles"])
        family = self._family("generic")
        works = []
        for _ in range(self.rng.randint(2, 4)):
            work = self.book(lang, "business")
            work.title, work.subtitle, work.family = title, None, family
            work.lc_class, work.dewey = lc, dewey
            if not work.authors:
                work.authors = (self.thai_person() if lang == "tha" else self.english_person(0.3),)
            work.subjects = (subject,)
            works.append(work)
        return works

    def serial(self, lang: str) -> Work:
        """A journal: ISSN, no ISBN or personal author; Thai ones often named by issuer."""
        rng, vocab = self.rng, self.th if lang == "tha" else self.en
        title, domain = rng.choice(vocab["serial_titles"])
        work = self.book(lang, domain)
        if lang == "tha" and rng.random() < 0.8:
            issuer, place = rng.choice(self.th["serial_issuers"])
            title = f"{title} {issuer}"
            work.publisher, work.place = Publisher((issuer,), (place,), ""), place
        if (title, None) in self.titles:  # already have this journal: make it a new series
            title = f"{title} ({'ฉบับ' if lang == 'tha' else 'Series'} {rng.randint(2, 9)})"
        self.titles.add((title, None))
        work.kind, work.title, work.subtitle, work.authors = "serial", title, None, ()
        work.isbn, work.oclc, work.pages, work.bibliography = None, None, None, None
        work.year = rng.randint(1990, 2018)
        work.issn = self.ids.issn()
        work.subjects = (self.domains[domain]["subject_th" if lang == "tha" else "subject_en"]
                         + (" -- วารสาร" if lang == "tha" else " -- Periodicals"),)  # fmt: skip
        work.extra["frequency"] = rng.choice(
            ("ราย 6 เดือน", "ราย 4 เดือน", "ราย 3 เดือน")
            if lang == "tha"
            else ("Semiannual", "Quarterly", "Three issues a year")
        )
        return work

    def eresource(self, lang: str) -> Work:
        """An online database or collection (Leader/06 m), titled after a topic."""
        work = self.book(lang)
        vocab = self.th if lang == "tha" else self.en
        topic = self.rng.choice(self.domains[work.domain]["th" if lang == "tha" else "en"])
        pattern = self.rng.choice(vocab["eresource_patterns"])
        work.title = pattern.format(t=topic, T=_cap(topic))
        work.subtitle, work.kind, work.pages, work.authors = None, "electronic", None, ()
        work.isbn, work.bibliography, work.illustrated = None, None, False
        work.year = self.rng.randint(2005, LAST_YEAR)
        work.subjects = self._subjects(lang, work.domain, work.title)
        self.titles.add((work.title, None))
        return work

    def seed(self, raw: dict[str, Any]) -> Work:
        """A real English record from shared/data/marc, kept as published."""
        authors: list[Person] = []
        for i, name in enumerate([raw["author"], *raw["added_authors"]]):
            if not name or "," not in name:
                continue
            surname, forename = (part.strip() for part in name.split(",", 1))
            dates = raw["author_dates"] if i == 0 else None
            if all(p.surname != surname or p.forename != forename for p in authors):
                authors.append(Person(forename, surname, dates, False))
        publisher = Publisher(
            (raw["publisher"] or "[publisher not identified]",), (raw["place"],), ""
        )
        work = Work(
            work_id="",
            lang="eng",
            kind="book",
            domain="seed",
            title=raw["title"],
            subtitle=raw["subtitle"],
            authors=tuple(authors),
            main_entry=raw["author"] is not None,
            publisher=publisher,
            place=raw["place"] or "[Place of publication not identified]",
            year=raw["year"],
            pages=raw["pages"] or self.rng.randint(180, 640),
            responsibility=raw["responsibility"],
            subjects=tuple(raw["subjects"]),
            lc_class=(raw["lc_class"] or "QA76").split(" ")[0],
            dewey="005.1" if (raw["lc_class"] or "").startswith("QA76") else "000",
            cutter=self.rng.randint(100, 999),
            illustrated=self.rng.random() < 0.4,
            source=raw["source"],
        )
        if raw["isbn13"]:
            digits = raw["isbn13"]
            work.isbn = (digits[:3], digits[3:4], digits[4:7], digits[7:12], digits[12])
            work.extra["unsplit_isbn"] = "1"  # real ISBN: its element split is unknown
            self.ids.used.add(digits[:12])
        if self.rng.random() < 0.8:
            work.oclc = self.ids.oclc()
        self.titles.add((work.title, work.subtitle))
        return work


def build_works(rng: random.Random, count: int, options: GeneratorOptions) -> list[Work]:
    """Exactly ``count`` works: the English seeds first, then composed works and families."""
    builder = _Builder(rng, options)
    seeds = vocabulary("english_seed_records.json")["records"]
    works = [builder.seed(raw) for raw in seeds[: max(0, min(len(seeds), count // 12))]]
    opts = options
    while len(works) < count:
        lang = "tha" if rng.random() < opts.thai_share else "eng"
        roll = rng.random()
        thresholds = (opts.serial_rate, opts.eresource_rate, opts.generic_rate, opts.volumes_rate)
        cumulative = [sum(thresholds[: i + 1]) for i in range(len(thresholds))]
        if roll < cumulative[0]:
            works.append(builder.serial(lang))
        elif roll < cumulative[1]:
            works.append(builder.eresource(lang))
        elif roll < cumulative[2]:
            works.extend(builder.generic(lang))
        elif roll < cumulative[3]:
            works.extend(builder.volumes(lang))
        elif rng.random() < opts.edition_rate:
            works.extend(builder.editions(lang))
        else:
            works.append(builder.book(lang))
    works = works[:count]
    for number, work in enumerate(works, start=1):
        work.work_id = f"W{number:05d}"
    return works
