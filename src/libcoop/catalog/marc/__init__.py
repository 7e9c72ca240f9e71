"""The wire-format edge of the union catalog: MARC files in, one item per record out.

``read_marc`` streams ISO 2709 (``.mrc``/``.dat``/``.marc``) or MARCXML and yields, for
every record in the file, in order, either a :class:`ParsedRecord` (a ``pymarc.Record``)
or a :class:`RecordProblem` (why the record was refused, with its exact bytes).  One bad
record never stops a file, and nothing is silently dropped or repaired: a record whose
damage is local (a few characters, one field's tag or indicators, one subfield code, a blank
leader/10-11) is re-read by ``salvage`` and yielded as a ParsedRecord whose ``repairs`` say
what was replaced (U+FFFD) or dropped, so that it is loaded and flagged for its library; it
is refused only without a readable title or locatable fields.  A MARCXML record with such
damage (a bad ``tag``, indicator or subfield ``code`` attribute, a damaged ``<leader>``) is
rebuilt from its elements the same way.

Parsing is pymarc's.  This package only splits the byte stream into records, checks the
leader, chooses the character decoding, and turns pymarc's exceptions, log lines,
warnings and stderr chatter into reason codes, one idea a module: ``reading`` (``read_marc``,
format sniffing), ``iso2709`` (splitting, leader, decoding), ``marcxml`` (the MARCXML pull
parser), ``encodings`` (UTF-8 or MARC-8, numeric character references), ``checks`` (what
both formats check once pymarc has built a record), ``capture`` (pymarc's side channels)
and ``items`` (what the reader yields).  They import each other one way only: ``reading``
on top, ``items`` at the bottom.

Character encoding (ISO 2709), as decided for LibCoop:

* Ldr/09 ``a``: UTF-8, decoded strictly.  If the bytes are *not* valid UTF-8 (or are pure
  ASCII plus MARC-8 escape sequences) the record is tried as MARC-8: exports that flag
  ``a`` but hold MARC-8 exist in the wild (``ruby-marc/marc8_accented_chars.marc``, which
  the shared manifest says "needs MARC-8 decoding despite flag").  It is accepted only if
  MARC-8 decoding is clean (no unmappable byte, no bad escape, no orphan diacritic);
  otherwise the strict reading finds ``bad_encoding`` and ``salvage`` reads the record as
  UTF-8 with the bad bytes replaced (U+FFFD), flagged.
* Ldr/09 blank: MARC-8 via pymarc, NFC, then numeric character references
  (``&#x0E01;``, also marc4j's damaged ``&#x0E01%x;``) turned into characters, as MARC-8
  to Unicode conversion requires (Thai in MARC-8 records arrives this way).  If the
  bytes are valid UTF-8 and contain multi-byte sequences the record is read as UTF-8
  with a warning (encoding ``'marc-8->utf-8 mislabelled'``).
* A byte MARC-8 cannot map, an invalid escape sequence, or an EACC error is
  ``bad_encoding``: salvaged with U+FFFD in its place if the title stays readable.
  Windows-1251 and CP866 records have no readable title as MARC-8 and stay refused: they
  are not MARC-8, and guessing a code page is left to a human with the raw bytes.
"""

from libcoop.catalog.marc.items import REASONS, MarcItem, ParsedRecord, RecordProblem
from libcoop.catalog.marc.reading import read_marc, sniff_format

__all__ = [
    "REASONS",
    "MarcItem",
    "ParsedRecord",
    "RecordProblem",
    "read_marc",
    "sniff_format",
]
