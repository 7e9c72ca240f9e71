"""The merged MARC record of a page of clusters (the metadata of OAI-PMH §2.4 records).

The catalog owns the merged record (``libcoop.catalog.export.merged_marc``); this module only
names it for the provider.
"""

from libcoop.catalog.export import merged_marc

__all__ = ["merged_marc"]
