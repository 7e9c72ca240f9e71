"""The explain record: a ZeeRex 2.0 description of this server (SRU 1.2 "Explain").

ZeeRex (``http://explain.z3950.org/dtd/2.0/``) is the explain schema of SRU 1.1/1.2 and the
one SRU 2.0 servers still commonly return.  Sections, in the order ZeeRex requires:
``serverInfo`` (where), ``databaseInfo`` (what), ``indexInfo`` (context sets and indexes,
with search / scan / sort flags), ``schemaInfo`` (record schemas) and ``configInfo``
(defaults, limits and supported features).
"""

from __future__ import annotations

from lxml import etree

from libcoop.interop.sru.plan import CONTEXT_SETS, INDEXES, MAX_CLAUSES
from libcoop.interop.sru.records import SCHEMAS
from libcoop.interop.sru.xml import add

ZEEREX_NS = "http://explain.z3950.org/dtd/2.0/"
ZEEREX_SCHEMA = "http://explain.z3950.org/dtd/2.0/"
DEFAULT_RECORDS = 10
MAX_RECORDS = 100
DEFAULT_TERMS = 20
MAX_TERMS = 100
MAX_QUERY_LENGTH = 4096
RELATIONS = ("=", "==", "exact", "all", "any")


def _z(parent: etree._Element, name: str, text: object = None, /, **attrs: str) -> etree._Element:
    return add(parent, f"{{{ZEEREX_NS}}}{name}", text, **attrs)


def explain_record(
    host: str, port: int, database: str, version: str, *, collection: bool = False
) -> etree._Element:
    """The ZeeRex record of the union catalog (``/sru``) or, with *collection*, of the
    digital collection (``/sru/repository``: its own indexes, no scan)."""
    from libcoop.interop.sru import collection as repository_database

    root = etree.Element(f"{{{ZEEREX_NS}}}explain", nsmap={"zr": ZEEREX_NS})
    server = _z(root, "serverInfo", protocol="SRU", version=version, transport="http")
    _z(server, "host", host)
    _z(server, "port", port)
    _z(server, "database", database)

    info = _z(root, "databaseInfo")
    if collection:
        _z(info, "title", "LibCoop digital collection", lang="en", primary="true")
        _z(info, "title", "คลังข้อมูลดิจิทัล LibCoop", lang="th")
        _z(
            info,
            "description",
            "Theses, research reports, articles and local information deposited by the "
            "member libraries; full text of open files searched, restricted text never.",
            lang="en",
            primary="true",
        )
    else:
        _z(info, "title", "LibCoop union catalog", lang="en", primary="true")
        _z(info, "title", "สหบรรณานุกรม LibCoop", lang="th")
        _z(
            info,
            "description",
            "The union catalog of the cooperating libraries: one record per edition "
            "(cluster), with every member library's holdings in 852.",
            lang="en",
            primary="true",
        )

    index_info = _z(root, "indexInfo")
    for name, uri in CONTEXT_SETS.items():
        _z(index_info, "set", name=name, identifier=uri)
    for spec in INDEXES.values():
        if collection and spec.name not in repository_database.SUPPORTED | {"dc.date"}:
            continue
        searchable = spec.name != "dc.date"
        index = _z(
            index_info,
            "index",
            search=str(searchable).lower(),
            scan=str(spec.scan is not None and not collection).lower(),
            sort=str(spec.sort is not None).lower(),
        )
        _z(index, "title", spec.title, lang="en")
        prefix, _, short = spec.name.partition(".")
        _z(_z(index, "map"), "name", short, set=prefix)

    schema_info = _z(root, "schemaInfo")
    for schema in SCHEMAS:
        el = _z(
            schema_info,
            "schema",
            identifier=schema.identifier,
            name=schema.name,
            sort="false",
            retrieve="true",
        )
        _z(el, "title", schema.title, lang="en")

    config = _z(root, "configInfo")
    _z(config, "default", DEFAULT_RECORDS, type="numberOfRecords")
    _z(config, "default", SCHEMAS[0].identifier, type="retrieveSchema")
    _z(config, "default", "dc", type="contextSet")
    _z(config, "default", "cql.serverChoice", type="index")
    _z(config, "default", "=", type="relation")
    _z(config, "setting", MAX_RECORDS, type="maximumRecords")
    _z(config, "setting", MAX_TERMS, type="maximumTerms")
    _z(config, "setting", MAX_QUERY_LENGTH, type="maxQueryLength")
    _z(config, "setting", MAX_CLAUSES - 1, type="maxBooleanOperators")
    for relation in RELATIONS:
        _z(config, "supports", relation, type="relation")
    _z(config, "supports", "relevant", type="relationModifier")
    _z(config, "supports", "sort.ascending", type="sortModifier")
    _z(config, "supports", "sort.descending", type="sortModifier")
    _z(config, "supports", type="sort")
    return root


__all__ = ["DEFAULT_RECORDS", "MAX_RECORDS", "ZEEREX_SCHEMA", "explain_record"]
