"""Attaché: cited answers over diplomatic news coverage."""

from assistant.answer import Assistant, answer
from assistant.config import Settings
from assistant.types import Answer, Article, Chunk, Citation, Passage

__all__ = ["Answer", "Article", "Assistant", "Chunk", "Citation", "Passage", "Settings", "answer"]
