"""ChangeSet: what one operation added, changed and removed, for views to refresh from."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ChangeSet:
    """Uuids touched by one operation, by kind. Views refresh exactly these.

    `documents` lists every document whose annotations changed, so a reading pane can ignore
    change sets about other documents. `schema` is true when tag, link or attribute types changed.
    """

    spans_added: frozenset[str] = frozenset()
    spans_changed: frozenset[str] = frozenset()
    spans_removed: frozenset[str] = frozenset()
    links_added: frozenset[str] = frozenset()
    links_changed: frozenset[str] = frozenset()
    links_removed: frozenset[str] = frozenset()
    entities: frozenset[str] = frozenset()
    documents: frozenset[str] = frozenset()
    documents_added: frozenset[str] = frozenset()
    documents_removed: frozenset[str] = frozenset()
    statuses: frozenset[str] = frozenset()
    schema: bool = False
    annotators: bool = False

    def merge(self, other: ChangeSet) -> ChangeSet:
        """The union of two change sets (for coalescing several operations into one refresh)."""
        return ChangeSet(
            **{
                name: (getattr(self, name) | getattr(other, name))
                for name in self.__dataclass_fields__
            }
        )

    @property
    def empty(self) -> bool:
        return not any(getattr(self, name) for name in self.__dataclass_fields__)


@dataclass
class ChangeBuilder:
    """Mutable collector used inside an operation; `build()` freezes it."""

    spans_added: set[str] = field(default_factory=set)
    spans_changed: set[str] = field(default_factory=set)
    spans_removed: set[str] = field(default_factory=set)
    links_added: set[str] = field(default_factory=set)
    links_changed: set[str] = field(default_factory=set)
    links_removed: set[str] = field(default_factory=set)
    entities: set[str] = field(default_factory=set)
    documents: set[str] = field(default_factory=set)
    documents_added: set[str] = field(default_factory=set)
    documents_removed: set[str] = field(default_factory=set)
    statuses: set[str] = field(default_factory=set)
    schema: bool = False
    annotators: bool = False

    def build(self) -> ChangeSet:
        return ChangeSet(
            **{
                name: (frozenset(value) if isinstance(value, set) else value)
                for name, value in vars(self).items()
            }
        )
