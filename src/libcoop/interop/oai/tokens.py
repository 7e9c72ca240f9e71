"""Resumption tokens for ListIdentifiers and ListRecords (OAI-PMH 2.0 §3.5 flow control).

A token is the signed (``django.core.signing``, so it cannot be forged or edited) state of
one harvest: the original arguments (verb, metadataPrefix, set, from), an ``until`` frozen
at the moment of the first request, the sort key (datestamp, cluster id) of the last item
sent (and which list it came from: the catalog's clusters or the digital collection's items,
which a list without a set interleaves by ``(datestamp, list, id)``), how many items were
sent so far (the ``cursor``) and the list's size as counted at the first request
(``completeListSize``). The provider keeps no session.

A page's cost does not depend on the catalog's size: the page is the next ``N`` rows of the
index ``(updated, id)`` after the key in the token (a row-value comparison, ``(updated, id) >
(t, i)``, which both databases answer as an index range), and nothing is counted after the
first request. ``completeListSize`` on later pages is that first count (§3.5.1 allows an
estimate, revised during the list sequence): the list can only shrink during a harvest (see
below), and the last page reports the exact number sent. Tokens of the earlier form
(version 1, which carried no size) are refused with ``badResumptionToken``.

Why a harvest through these tokens neither skips nor repeats a record
--------------------------------------------------------------------

The list is "every cluster with ``from <= updated <= until``" in the total order
``(updated, id)`` (ids are unique, so no two items share a key). Each page is the first
``N`` items whose key is greater than the key in the token (keyset pagination), never an
offset, so rows that appear or disappear *behind* the position cannot shift the page
boundaries the way ``OFFSET`` would.

* An item that does not change during the harvest keeps its key. At every request it is
  either at or before the position (already sent exactly once) or after it (sent later);
  the position only moves forward, so it is sent exactly once.
* Any write to a cluster (a re-import, a withdrawal, a split or merge, a new cluster) sets
  its ``updated`` to the time of the write, which is later than the frozen ``until`` (the
  time of the first request, to the microsecond; a harvester's own earlier ``until`` is
  kept as it is). So a changed item leaves the window instead of jumping ahead of the
  position: it can never be sent twice. If it had not yet been sent, its new version is not
  in this harvest's window at all (its old version no longer exists); it is delivered by
  the next incremental harvest, whose ``from`` is this harvest's first ``responseDate``
  (§2.7.1; ``from`` is inclusive and the frozen ``until`` is not earlier than that
  responseDate), so nothing is lost across harvests either.
* Without the frozen ``until`` the window would grow during the harvest: a record sent on
  page 1 and then updated would move to the end of the list and be sent again.

Caveat: a datestamp is taken when a write computes it, inside its transaction; a write
that is in flight at the moment of the first request and commits later can carry a
datestamp just before the frozen ``until``. Keeping import transactions short (one batch
each) keeps that window small.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core import signing

SALT = "libcoop.interop.oai.resumption"
VERSION = 2
MAX_AGE = dt.timedelta(days=7)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


class BadToken(Exception):
    """Not a token this repository issued for this verb, or expired (§3.6 badResumptionToken)."""


@dataclass(frozen=True)
class Harvest:
    """The original arguments of a list request, with ``until`` frozen (inclusive bounds)."""

    verb: str
    prefix: str
    set_spec: str | None
    start: dt.datetime | None
    until: dt.datetime
    issued: dt.datetime  # the first request: current network memberships are taken then


@dataclass(frozen=True)
class Position:
    """Where a harvest stands: the key of the last item sent, how many were sent, and the
    list's size counted at the first request."""

    harvest: Harvest
    last_datestamp: dt.datetime
    last_id: int
    cursor: int
    total: int = 0
    # which list the last item came from: "cluster" (the catalog) or "repository" (the
    # digital collection); a list without a set interleaves both by (datestamp, source, id)
    last_source: str = "cluster"


def _to_int(value: dt.datetime) -> int:
    return (value - _EPOCH) // _MICROSECOND


def _from_int(value: int) -> dt.datetime:
    return _EPOCH + value * _MICROSECOND


def encode(position: Position) -> str:
    """The token for *position*: URL-safe, signed and compressed."""
    h = position.harvest
    payload = [
        VERSION,
        h.verb,
        h.prefix,
        h.set_spec,
        None if h.start is None else _to_int(h.start),
        _to_int(h.until),
        _to_int(h.issued),
        _to_int(position.last_datestamp),
        position.last_id,
        position.cursor,
        position.total,
    ]
    if position.last_source != "cluster":  # tokens of catalog-only lists keep their form
        payload.append(position.last_source)
    return signing.dumps(payload, salt=SALT, compress=True)


def expiry(issued: dt.datetime) -> dt.datetime:
    """The ``expirationDate`` of a token issued at *issued*."""
    return issued + MAX_AGE


def decode(token: str, verb: str) -> Position:
    """The position in *token*, which must have been issued for *verb* (§3.5)."""
    try:
        payload: Any = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.SignatureExpired as exc:
        raise BadToken("The resumptionToken has expired.") from exc
    except signing.BadSignature as exc:
        raise BadToken("The resumptionToken was not issued by this repository.") from exc
    if not isinstance(payload, list) or len(payload) not in (11, 12) or payload[0] != VERSION:
        raise BadToken("The resumptionToken is of an older, unsupported form; start again.")
    source = payload[11] if len(payload) == 12 else "cluster"
    if source not in ("cluster", "repository"):
        raise BadToken("The resumptionToken names an unknown list.")
    _v, t_verb, prefix, set_spec, start, until, issued, last, last_id, cursor, total = payload[:11]
    if t_verb != verb:
        raise BadToken(f"The resumptionToken belongs to {t_verb}, not to {verb}.")
    harvest = Harvest(
        verb=t_verb,
        prefix=prefix,
        set_spec=set_spec,
        start=None if start is None else _from_int(start),
        until=_from_int(until),
        issued=_from_int(issued),
    )
    return Position(harvest, _from_int(last), int(last_id), int(cursor), int(total), source)
