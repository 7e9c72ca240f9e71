"""Demo data of the union catalog (loaded by ``libcoop demo``, last, unless ``--no-catalog``).

The generators live beside this loader and outside the catalog's domain modules: ``works``
invents the true works (and hard negatives), ``libraries`` holds the demo libraries'
cataloguing habits, ``records`` writes one library's record of one work, and ``generate``
writes the demo union catalog and the labelled deduplication set (files, truth and scores).
"""

from __future__ import annotations


def load_demo() -> str:
    """Each demo library's generated MARC file, imported like a member's upload; return a
    one-line summary."""
    from django.conf import settings

    from libcoop.catalog.demo.generate import generate_demo_catalog
    from libcoop.catalog.ingest import import_file
    from libcoop.network.abilities import SYSTEM
    from libcoop.network.models import Institution

    folder = settings.VAR_DIR / "demo-catalog"
    files = generate_demo_catalog(folder)
    totals = [0, 0, 0]
    for code, path in sorted(files.items()):
        job = import_file(path, Institution.objects.get(code=code), acting_user=SYSTEM)
        totals[0] += job.added
        totals[1] += job.updated
        totals[2] += job.unchanged
    return (
        f"Catalog: {totals[0]} new, {totals[1]} changed, {totals[2]} same records "
        f"from {len(files)} libraries"
    )
