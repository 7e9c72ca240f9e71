"""OAI-PMH 2.0 harvester: ``client`` (HTTP, XML, flow control) and ``service`` (runs, ingest)."""
