"""The demo union catalog generator and the pairwise deduplication scores.

The demo data is only worth having if it is reproducible, parses like member uploads do,
and really contains the overlaps and the hard cases that deduplication must handle, so
these tests check the generated files for each of those, not just the generator's
bookkeeping.
"""

from __future__ import annotations

import csv
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import yaml
from pymarc import MARCReader, Record

from libcoop.catalog.demo.generate import (
    LIBRARIES,
    TRUTH_FILENAME,
    DemoCatalog,
    build_catalog,
    generate_demo_catalog,
    generate_labelled_set,
    pairwise_scores,
    read_truth,
    summarise,
)
from libcoop.catalog.facts import extract_facts
from libcoop.catalog.identifiers import is_valid_isbn13, normalise_issn

NETWORK_YAML = Path(__file__).parents[2] / "src/libcoop/network/data/demo_network.yaml"
PUA = re.compile("[\uf700-\uf71a]")


@pytest.fixture(scope="module")
def catalog() -> DemoCatalog:
    return build_catalog()


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    generate_demo_catalog(out)
    return out


def _read(path: Path) -> list[Record]:
    with path.open("rb") as handle:
        records = list(MARCReader(handle, to_unicode=True))
    assert all(record is not None for record in records), f"unparsable record in {path}"
    return records


def _text(record: Record) -> str:
    return "\n".join(value for field in record.fields for value in _values(field))


def _values(field: object) -> list[str]:
    data = getattr(field, "data", None)
    if data is not None:
        return [data]
    return [sub.value for sub in getattr(field, "subfields", [])]


# --------------------------------------------------------------------------- files


def test_same_seed_gives_identical_bytes(demo_dir: Path, tmp_path: Path) -> None:
    paths = generate_demo_catalog(tmp_path)
    for code, path in paths.items():
        assert path.read_bytes() == (demo_dir / f"{code}.mrc").read_bytes(), code
    assert (tmp_path / TRUTH_FILENAME).read_bytes() == (demo_dir / TRUTH_FILENAME).read_bytes()


def test_another_seed_gives_other_data(tmp_path: Path) -> None:
    first = generate_demo_catalog(tmp_path / "a", seed=1, works=150)
    second = generate_demo_catalog(tmp_path / "b", seed=2, works=150)
    assert first["CMU-LIB"].read_bytes() != second["CMU-LIB"].read_bytes()


def test_one_file_per_university_library_of_the_demo_network(demo_dir: Path) -> None:
    network = yaml.safe_load(NETWORK_YAML.read_text(encoding="utf-8"))
    kinds = {inst["code"]: inst["kind"] for inst in network["institutions"]}
    codes = [lib.code for lib in LIBRARIES]
    assert len(codes) == 8 and {"MFU-LIB", "CMU-LIB"} <= set(codes)
    assert all(kinds.get(code) == "university_library" for code in codes)
    assert sorted(p.name for p in demo_dir.glob("*.mrc")) == sorted(f"{c}.mrc" for c in codes)


def test_every_record_parses_and_yields_facts(demo_dir: Path) -> None:
    truth = read_truth(demo_dir / TRUTH_FILENAME)
    seen: set[tuple[str, str]] = set()
    for lib in LIBRARIES:
        for record in _read(demo_dir / f"{lib.code}.mrc"):
            assert record.leader[9] == "a"
            facts = extract_facts(record)
            assert record["003"].data == lib.code
            assert facts.local_id and (lib.code, facts.local_id) in truth
            assert facts.title and facts.language in ("tha", "eng") and facts.year
            seen.add((lib.code, facts.local_id))
    assert seen == set(truth)
    assert len(truth) >= 3000


def test_truth_csv_has_the_documented_columns(demo_dir: Path) -> None:
    with (demo_dir / TRUTH_FILENAME).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["library_code", "local_id", "work_id"]
    assert all(re.fullmatch(r"W\d{5}", row[2]) for row in rows[1:])


# --------------------------------------------------------------------------- content


def test_isbns_are_valid_where_meant_to_be(catalog: DemoCatalog) -> None:
    works = {work.work_id: work for work in catalog.works}
    assert all(is_valid_isbn13(w.isbn13) for w in catalog.works if w.isbn13)
    thai = [w.isbn13 for w in catalog.works if w.lang == "tha" and w.isbn13]
    assert thai and all(isbn.startswith(("978616", "978974")) for isbn in thai)
    typos = 0
    for item in catalog.records:
        work, facts = works[item.work_id], extract_facts(item.record)
        if work.isbn13 is None or "isbn:absent" in item.variants:
            assert facts.isbns == ()
        elif "isbn:typo" in item.variants:
            typos += 1
            assert work.isbn13 not in facts.isbns and facts.invalid_isbns
        else:
            assert facts.isbns == (work.isbn13,), item.record
        if work.issn and "issn:absent" not in item.variants:
            assert facts.issns == (normalise_issn(work.issn),)
    assert typos > 0


def test_works_overlap_between_libraries(catalog: DemoCatalog) -> None:
    holders = Counter(item.work_id for item in catalog.records)
    spread = Counter(holders.values())
    assert set(spread) == {1, 2, 3, 4, 5}
    assert spread[1] > spread[2] > spread[3] > spread[5]  # skewed to few holders
    assert sum(n for k, n in spread.items() if k >= 3) >= 0.2 * len(catalog.works)


def test_no_library_holds_the_same_work_twice(catalog: DemoCatalog) -> None:
    pairs = Counter((item.library, item.work_id) for item in catalog.records)
    assert max(pairs.values()) == 1


def test_about_half_of_the_records_are_thai(catalog: DemoCatalog) -> None:
    share = summarise(catalog)["thai_record_share"]
    assert 0.4 <= share <= 0.7


def test_thai_records_use_buddhist_era_years(catalog: DemoCatalog) -> None:
    works = {work.work_id: work for work in catalog.works}
    thai = [item for item in catalog.records if works[item.work_id].lang == "tha"]
    be_in_008 = sum(int(item.record["008"].data[7:11]) >= 2400 for item in thai)
    assert be_in_008 > 0.6 * len(thai)
    for item in thai[:300]:
        if "year:off_by_one" not in item.variants:
            assert extract_facts(item.record).year == works[item.work_id].year  # CE


def test_cataloguing_variants_are_in_the_records(catalog: DemoCatalog) -> None:
    texts = [_text(item.record) for item in catalog.records]
    assert sum(bool(PUA.search(t)) for t in texts) >= 10
    assert sum("\u200b" in t for t in texts) >= 10
    assert sum("\u0e4d\u0e32" in t for t in texts) >= 10  # decomposed sara am
    isbn_a = [v for item in catalog.records for f in item.record.get_fields("020")
              for v in f.get_subfields("a")]  # fmt: skip
    assert any(re.fullmatch(r"\d{9}[\dX]", v) for v in isbn_a)  # ISBN-10
    assert any(v.startswith("978-") for v in isbn_a)  # hyphenated
    assert any("(" in v for v in isbn_a)  # qualifier in $a
    leaders = Counter(str(item.record.leader)[18] for item in catalog.records)
    assert leaders["c"] and leaders["i"] and leaders["a"]  # punctuation omitted / RDA / AACR2
    tags = Counter(f.tag for item in catalog.records for f in item.record.fields)
    assert tags["260"] and tags["264"] and tags["949"] and tags["852"]
    rates = summarise(catalog)["variant_rates"]
    for name in ("isbn:absent", "subtitle:dropped", "author:dates", "thai:digits"):
        assert rates[name] > 0.005, name


def test_each_library_has_its_own_control_numbers(catalog: DemoCatalog) -> None:
    by_library: dict[str, list[str]] = defaultdict(list)
    for item in catalog.records:
        assert item.record["001"].data == item.local_id
        by_library[item.library].append(item.local_id)
    assert all(len(ids) == len(set(ids)) for ids in by_library.values())
    assert all(re.fullmatch(r"b\d{7}", i) for i in by_library["MFU-LIB"])


def test_hard_negatives_are_distinct_works(catalog: DemoCatalog) -> None:
    families: dict[str, list] = defaultdict(list)
    for work in catalog.works:
        if work.family:
            families[work.family].append(work)
    kinds = Counter(name.split(":")[0] for name in families)
    assert kinds["edition"] and kinds["volumes"] and kinds["generic"]
    for name, members in families.items():
        if len(members) < 2:
            continue  # a family cut short by the requested number of works
        assert len({w.work_id for w in members}) == len(members)
        assert len({w.title for w in members}) == 1, name
        isbns = [w.isbn13 for w in members if w.isbn13]
        assert len(isbns) == len(set(isbns)), name
        if name.startswith("edition"):
            assert len({w.year for w in members}) == len(members)
        if name.startswith("volumes"):
            assert sorted(w.volume for w in members) == list(range(1, len(members) + 1))
        if name.startswith("generic"):
            assert len({w.authors[0] for w in members}) > 1 or len(members) < 2


def test_english_articles_get_a_non_filing_indicator(catalog: DemoCatalog) -> None:
    checked = 0
    for item in catalog.records:
        field = item.record["245"]
        title = field.get_subfields("a")[0]
        for article, skip in (("The ", "4"), ("An ", "3"), ("A ", "2")):
            if title.startswith(article):
                assert field.indicator2 == skip, title
                checked += 1
                break
        else:
            assert field.indicator2 == "0", title
    assert checked > 0


def test_serials_and_online_resources(catalog: DemoCatalog) -> None:
    kinds = Counter(str(item.record.leader)[6:8] for item in catalog.records)
    assert kinds["am"] > 0.9 * len(catalog.records) and kinds["as"] and kinds["mm"]
    for item in catalog.records:
        facts = extract_facts(item.record)
        if facts.format == "serial":
            assert not facts.isbns
        if facts.format == "electronic":
            assert item.record.get_fields("856")


def test_labelled_set_size(tmp_path: Path) -> None:
    paths = generate_labelled_set(tmp_path)
    truth = read_truth(tmp_path / TRUTH_FILENAME)
    assert 3000 <= len(truth) <= 6000
    assert sum(len(_read(path)) for path in paths.values()) == len(truth)
    assert pairwise_scores(truth, truth)["f1"] == 1.0


# --------------------------------------------------------------------------- scores


TRUTH = {("A", "1"): "w1", ("B", "1"): "w1", ("A", "2"): "w2", ("B", "2"): "w2", ("C", "9"): "w2"}


def test_scores_of_a_perfect_clustering() -> None:
    scores = pairwise_scores(TRUTH, {key: f"c-{work}" for key, work in TRUTH.items()})
    assert scores == {
        "precision": 1.0,
        "recall": 1.0,
        "f1": 1.0,
        "true_pairs": 4,
        "predicted_pairs": 4,
        "correct_pairs": 4,
    }


def test_scores_of_all_singletons() -> None:
    scores = pairwise_scores(TRUTH, {key: n for n, key in enumerate(TRUTH)})
    assert scores["predicted_pairs"] == 0 and scores["true_pairs"] == 4
    assert (scores["precision"], scores["recall"], scores["f1"]) == (1.0, 0.0, 0.0)
    assert pairwise_scores(TRUTH, {}) == scores  # unclustered records are singletons
    assert pairwise_scores(TRUTH, dict.fromkeys(TRUTH)) == scores  # so is cluster None


def test_scores_of_everything_in_one_cluster() -> None:
    scores = pairwise_scores(TRUTH, dict.fromkeys(TRUTH, "all"))
    assert scores["predicted_pairs"] == 10 and scores["correct_pairs"] == 4
    assert scores["recall"] == 1.0
    assert scores["precision"] == pytest.approx(0.4)
    assert scores["f1"] == pytest.approx(2 * 0.4 / 1.4)


def test_scores_of_a_partial_clustering() -> None:
    predicted = {("A", "1"): "x", ("B", "1"): "x", ("A", "2"): "x", ("B", "2"): "y"}
    predicted[("Z", "0")] = "x"  # not in truth: ignored
    scores = pairwise_scores(TRUTH, predicted)
    assert (scores["true_pairs"], scores["predicted_pairs"], scores["correct_pairs"]) == (4, 3, 1)
    assert scores["precision"] == pytest.approx(1 / 3)
    assert scores["recall"] == pytest.approx(1 / 4)
    assert scores["f1"] == pytest.approx(2 / 7)
