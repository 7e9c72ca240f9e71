from __future__ import annotations

import pytest

from libcoop.network.models import Institution
from tests.factories import InstitutionFactory


@pytest.fixture
def libraries(db: None) -> dict[str, Institution]:
    return {code: InstitutionFactory(code=code) for code in ("AAA-LIB", "BBB-LIB", "CCC-LIB")}
