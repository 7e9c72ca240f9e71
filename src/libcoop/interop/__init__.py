"""Protocols at the edge: OAI-PMH and SRU (later ISO 18626). Wire formats only; the domain
is reached through the catalog's service functions."""
