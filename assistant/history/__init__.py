"""Saved conversations: the SQLite store under ``ATTACHE_HOME`` and what it holds."""
