"""Question (+ filters, as-of date) to ranked passages: dense and BM25 search, fusion, rerank, date windows."""
