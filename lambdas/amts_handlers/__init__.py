"""Thin Lambda handlers: one Powertools decorator stack and input/output models (``shared``), one domain call each."""
