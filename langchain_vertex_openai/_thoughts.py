"""Gemini's visible thoughts: separated from the answer text, in whole replies and streams.

With `include_thoughts`, Vertex returns thought summaries inside `content`, untagged
unless `thought_tag_marker` is set (docs/vertex-facts.md §5), so the client always sets the
marker `thought` and splits `<thought>...</thought>` off here. The Gemini API uses the
same tag by default and also marks thought deltas with `extra_content.google.thought`
(handled in `_response`). Tags may be split across stream chunks.
"""

from __future__ import annotations

from dataclasses import dataclass

THOUGHT_TAG = "thought"


def split_thoughts(text: str, tag: str = THOUGHT_TAG) -> tuple[str, str]:
    """Split a whole reply into (thoughts, answer)."""
    splitter = ThoughtSplitter(tag)
    thoughts, answer = splitter.feed(text)
    more_thoughts, more_answer = splitter.flush()
    return thoughts + more_thoughts, answer + more_answer


def partial_tag_suffix(text: str, tag: str) -> int:
    """Length of the longest suffix of `text` that is a proper prefix of `tag`."""
    for size in range(min(len(tag) - 1, len(text)), 0, -1):
        if tag.startswith(text[-size:]):
            return size
    return 0


@dataclass
class ThoughtSplitter:
    """Incrementally split streamed text into thought text and answer text."""

    tag: str = THOUGHT_TAG
    """The `thought_tag_marker` the request asked for."""
    in_thought: bool = False
    _pending: str = ""

    def feed(self, text: str) -> tuple[str, str]:
        """Consume a chunk of text; return the (thoughts, answer) it completes."""
        text = self._pending + text
        self._pending = ""
        thoughts: list[str] = []
        answer: list[str] = []
        while text:
            tag = f"</{self.tag}>" if self.in_thought else f"<{self.tag}>"
            position = text.find(tag)
            target = thoughts if self.in_thought else answer
            if position >= 0:
                target.append(text[:position])
                text = text[position + len(tag) :]
                self.in_thought = not self.in_thought
                continue
            # Hold back what may be the start of a tag split across chunks.
            held = partial_tag_suffix(text, tag)
            target.append(text[: len(text) - held])
            self._pending = text[len(text) - held :]
            break
        return "".join(thoughts), "".join(answer)

    def flush(self) -> tuple[str, str]:
        """Return whatever was held back at the end of the stream."""
        pending, self._pending = self._pending, ""
        return (pending, "") if self.in_thought else ("", pending)
