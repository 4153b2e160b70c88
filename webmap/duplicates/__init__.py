"""Possible duplicates across sources: merging a flagged pair into one incident, and what the pages show of it."""
