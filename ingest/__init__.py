"""Ingest: files and records → ``Article``s → ``Chunk``s → the store; the ``python -m ingest`` command.

Entry points: :func:`ingest.pipeline.ingest_paths` (and ``ingest_articles``) for code,
:func:`assistant.store.lock.store_lock` around any write to a store another process may use, and
``python -m ingest`` (see ``docs/ingest.md``). Importing this package loads nothing heavy.
"""
