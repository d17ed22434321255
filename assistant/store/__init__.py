"""Where chunks live: Chroma (embedded or server), the BM25 keyword index, the one-writer lock."""
