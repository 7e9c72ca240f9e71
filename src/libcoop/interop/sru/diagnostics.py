"""SRU diagnostics: ``info:srw/diagnostic/1/N`` with the standard messages.

Numbers and wording from the SRU diagnostics list (loc.gov/standards/sru/diagnostics/
diagnosticsList.html), used unchanged by SRU 1.2 and by SRU 2.0 (OASIS searchRetrieve
v1.0, Part 3 "SRU 2.0", its diagnostics list).  The ``details`` of each follow the list's "details
format" column (e.g. the name of the parameter, the index, the highest version).
"""

from __future__ import annotations

URI_PREFIX = "info:srw/diagnostic/1/"

MESSAGES: dict[int, str] = {
    1: "General system error",
    4: "Unsupported operation",
    5: "Unsupported version",
    6: "Unsupported parameter value",
    7: "Mandatory parameter not supplied",
    8: "Unsupported parameter",
    10: "Query syntax error",
    12: "Too many characters in query",
    13: "Invalid or unsupported use of parentheses",
    14: "Invalid or unsupported use of quotes",
    15: "Unsupported context set",
    16: "Unsupported index",
    19: "Unsupported relation",
    20: "Unsupported relation modifier",
    22: "Unsupported combination of relation and index",
    27: "Empty term unsupported",
    28: "Masking character not supported",
    31: "Anchoring character not supported",
    38: "Too many boolean operators in query",
    39: "Proximity not supported",
    46: "Unsupported boolean modifier",
    61: "First record position out of range",
    66: "Unknown schema for retrieval",
    71: "Unsupported record packing",
    72: "XPath retrieval unsupported",
    82: "Unsupported sort sequence",
    84: "Too many sort keys to sort",
    91: "Unsupported case",
    92: "Unsupported missing value action",
    110: "Stylesheets not supported",
    120: "Response position out of range",
}


class SRUDiagnostic(Exception):
    """A fatal diagnostic: the operation stops and the response carries this instead."""

    def __init__(self, number: int, details: str = "", explanation: str = "") -> None:
        self.number = number
        self.details = details
        standard = MESSAGES.get(number, "Diagnostic")
        self.message = f"{standard}: {explanation}" if explanation else standard
        super().__init__(f"{self.uri} {self.message}: {details}")

    @property
    def uri(self) -> str:
        return f"{URI_PREFIX}{self.number}"


__all__ = ["MESSAGES", "URI_PREFIX", "SRUDiagnostic"]
