"""``Response``: one question's answer as it arrives (simonw/llm's ``Response``).

Iterate it for the typed events (the numbered passages first, then text pieces, then the final answer), or call
:meth:`Response.answer` to wait for the answer. Iterating again replays what has arrived and goes on from there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from assistant.core.types import Answer, AnswerEvent, Passage, PassagesEvent, StreamEvent, TextEvent


class Response:
    """The stream of one answer, consumed once and remembered."""

    def __init__(self, events: Iterator[StreamEvent], on_answer: Callable[[Answer], None] | None = None) -> None:
        self._events = events
        self._seen: list[StreamEvent] = []
        self._answer: Answer | None = None
        self._on_answer = on_answer

    def __iter__(self) -> Iterator[StreamEvent]:
        yield from list(self._seen)
        for event in self._events:
            self._seen.append(event)
            if isinstance(event, AnswerEvent):
                self._answer = event.answer
                if self._on_answer is not None:
                    self._on_answer(event.answer)
            yield event

    def answer(self) -> Answer:
        """Wait for the stream to end; the final answer."""
        for _ in self:
            pass
        if self._answer is None:  # pragma: no cover - every stream ends with an AnswerEvent
            raise AssertionError("stream ended without an answer")
        return self._answer

    def text(self) -> str:
        """The answer's text, once complete."""
        return self.answer().text

    def texts(self) -> Iterator[str]:
        """Only the text pieces, as they arrive."""
        for event in self:
            if isinstance(event, TextEvent):
                yield event.delta

    @property
    def passages(self) -> tuple[Passage, ...]:
        """The numbered sources, once they have arrived (empty before)."""
        return next((e.passages for e in self._seen if isinstance(e, PassagesEvent)), ())

    @property
    def done(self) -> bool:
        return self._answer is not None
