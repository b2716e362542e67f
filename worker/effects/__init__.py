"""Writes that land exactly once: the per-ticket lock, the ledger of planned and
confirmed batches, the writer with its fallbacks, and how failures end."""
