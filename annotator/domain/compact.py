"""Compact in-memory forms for a whole document's annotations: spans that slice their quote and
context from the document's text, and one shared empty attributes dict.

The window holds every span of the open document (50,000 in a long one). A span's quote,
prefix and suffix are, by the file's own rules, the text it points at and the 32 code points
around it (`offsets.quote_of`, `context_of`; the open checklist refuses a file where they
differ, and every write computes them from the text), so a span read with its document's text
need not keep three strings of its own: about 250 bytes a span (a quote of 26 and two contexts
of 32 code points), more when the text holds an emoji (4 bytes a character).
"""

from __future__ import annotations

from typing import Any, NoReturn

from annotator.domain.model import Fragments, Span
from annotator.domain.offsets import CONTEXT_LENGTH, FRAGMENT_JOINER

__all__ = ["NO_ATTRIBUTES", "TextSpan"]


class _NoAttributes(dict):
    """An empty, read-only dict: the attributes of every span or link that has none (most of
    them; a dict each cost 64 bytes). Read-only, so sharing one is safe; still a dict, so it
    compares equal to `{}` and serialises as one."""

    __slots__ = ()

    def _read_only(self, *_args: Any, **_kwargs: Any) -> NoReturn:
        raise TypeError("these attributes are read-only (build a new dict to change them)")

    __setitem__ = __delitem__ = __ior__ = _read_only  # type: ignore[assignment]
    update = pop = popitem = clear = setdefault = _read_only  # type: ignore[assignment]

    def __reduce__(self) -> tuple[Any, ...]:
        return (dict, ())  # a copy is an ordinary (writable) empty dict

    def __repr__(self) -> str:
        return "{}"


#: The shared empty attributes of loaded spans and links.
NO_ATTRIBUTES: dict[str, Any] = _NoAttributes()

# Span's own slots (a slotted dataclass: its member descriptors), set without its frozen guard
# (one call each: a loop over them cost a third more per span).
_slot = Span.__dict__
_set_uuid, _set_document = _slot["uuid"].__set__, _slot["document"].__set__
_set_annotator, _set_tag = _slot["annotator"].__set__, _slot["tag"].__set__
_set_fragments, _set_attributes = _slot["fragments"].__set__, _slot["attributes"].__set__
_set_note, _set_entity = _slot["note"].__set__, _slot["entity"].__set__
_set_created, _set_modified = _slot["created"].__set__, _slot["modified"].__set__


class TextSpan(Span):
    """A `Span` read with its document's text: `quote`, `prefix` and `suffix` are sliced from
    that text when read (the same values the file stores; see the module's docstring) instead of
    held. It keeps a reference to the text, which the open document holds anyway (one `str`,
    shared by the reading pane and the store's text cache).

    It is a Span in every other way: equal to the Span with the same fields, and a copy or
    `dataclasses.replace` of it is a plain `Span` holding its strings (what a command keeps, so
    an undo step never keeps a whole text alive)."""

    __slots__ = ("_text",)

    def __new__(cls, *args: Any, **kwargs: Any) -> Span:  # type: ignore[misc]
        # `dataclasses.replace` and copies build `type(span)(**fields)`: a plain Span then.
        return Span(*args, **kwargs)

    @classmethod
    def of(
        cls,
        text: str,
        uuid: str,
        document: str,
        annotator: str,
        tag: str,
        fragments: Fragments,
        attributes: dict[str, Any],
        note: str,
        entity: str | None,
        created: str,
        modified: str,
    ) -> TextSpan:
        """The span of `text` with these fields (the quote and context come from `text`)."""
        span = _new(cls)
        _set_uuid(span, uuid)
        _set_document(span, document)
        _set_annotator(span, annotator)
        _set_tag(span, tag)
        _set_fragments(span, fragments)
        _set_attributes(span, attributes)
        _set_note(span, note)
        _set_entity(span, entity)
        _set_created(span, created)
        _set_modified(span, modified)
        _set_text(span, text)
        return span

    @property  # type: ignore[override]
    def quote(self) -> str:
        text, fragments = self._text, self.fragments
        if len(fragments) == 1:
            return text[fragments[0][0] : fragments[0][1]]
        return FRAGMENT_JOINER.join(text[start:end] for start, end in fragments)

    @property  # type: ignore[override]
    def prefix(self) -> str:
        start = self.fragments[0][0]
        return self._text[max(0, start - CONTEXT_LENGTH) : start]

    @property  # type: ignore[override]
    def suffix(self) -> str:
        end = self.fragments[-1][1]
        return self._text[end : end + CONTEXT_LENGTH]

    _text: str

    def stored(self) -> Span:
        """The plain Span with the same fields (its strings held)."""
        return Span(**{name: getattr(self, name) for name in Span.__dataclass_fields__})

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Span):
            return NotImplemented
        return all(
            getattr(self, name) == getattr(other, name) for name in Span.__dataclass_fields__
        )

    __hash__ = Span.__hash__

    def __reduce__(self) -> tuple[Any, ...]:
        return (Span, tuple(getattr(self, name) for name in Span.__dataclass_fields__))


_set_text = TextSpan.__dict__["_text"].__set__
_new = object.__new__
