"""Text layer for search and de-duplication: Thai-aware normalisation, tokens and match keys.

Pure functions with no Django or database dependency, so that indexing, querying and record
matching all see text the same way.
"""

from libcoop.textsearch.keys import author_key, strip_isbd, text_key, title_key
from libcoop.textsearch.thai import (
    has_thai,
    ngrams,
    normalise,
    segment,
)

__all__ = [
    "author_key",
    "has_thai",
    "ngrams",
    "normalise",
    "segment",
    "strip_isbd",
    "text_key",
    "title_key",
]
