"""The claims table a page at a time: every claim's summary (label, documents, outlets) counted
in SQL, and the full row (who asserts it, stance and verdict counts, supporting and
contradicting claims) built only for the rows a view shows. The same rows, in the same order,
as `claims.claim_rows`, which stays the reference and the path where SQL cannot count (an
attribute filter, merging by text, a file whose span keys are not all stored)."""

from __future__ import annotations

from typing import NamedTuple

from annotator.domain.node_keys import fold_spaces, normalise, quote_hash
from annotator.services.analytics.claims import (
    ClaimRow,
    add_claim_link,
    add_mention,
    claim_rows,
    counted_attributes,
)
from annotator.services.analytics.dataset import Dataset
from annotator.services.analytics.sorting import sort_stably
from annotator.services.gc_pause import without_gc
from annotator.store.analytics_claims import claim_page, claim_summaries
from annotator.store.analytics_nodes import Group

#: Rows read per page.
PAGE = 200


class ClaimSummary(NamedTuple):
    """What the table knows of a claim before its page is read (sortable without it; a named
    tuple: 218,056 are made in a fifth of the time of slotted objects)."""

    label: str
    documents: int
    outlets: int
    first: int  # the first mention's span id: the last key of the table's order
    group: Group
    prefix: str  # "entity:<uuid>", or "text:<tag>:" to which the normalised label is added

    @property
    def node(self) -> str:
        """The claim's node key, as `Dataset.node_key` makes it."""
        return self.prefix if self.group[0] == "entity" else self.prefix + normalise(self.label)


@without_gc
def summaries(data: Dataset) -> list[ClaimSummary] | None:
    """Every claim in the order of `claim_rows` (documents, most first; label; first
    mention), or None where SQL cannot count them."""
    if data.merge_by_text:
        return None
    with data.project.store.read() as session:
        found = claim_summaries(session, data.link_scope, data.tags_of_kind("claim"))
    if found is None:
        return None
    entities, tags, names = found.entities, found.tags, data.entities
    prefixes = {t: f"text:{key}:" for t, key in tags.items()}
    rows = [
        ClaimSummary(" ".join(quote.split()), n, o, first, ("text", t, h), prefixes[t])
        if t is not None
        else ClaimSummary(
            names.get(entities[h], quote), n, o, first, ("entity", h), f"entity:{entities[h]}"
        )
        for t, h, n, o, first, quote in found.rows
    ]
    return sort_stably(rows, lambda r: r.label.casefold(), lambda r: -r.documents)


@without_gc
def page_rows(data: Dataset, shown: list[ClaimSummary]) -> list[ClaimRow]:
    """The full rows of the claims `shown`, read for these claims only."""
    claim_tags = data.tags_of_kind("claim")
    with data.project.store.read() as session:
        page = claim_page(session, data.link_scope, [s.group for s in shown], claim_tags)
    counted = counted_attributes(data)
    labels = {s.group: s.label for s in shown}
    rows = {s.group: ClaimRow(s.node, s.label, values={k: {} for k in counted}) for s in shown}
    tags, documents, entities = page.tags, page.documents, page.entities
    shown_of: dict[str, list[tuple[str, str]]] = {}
    for _id, uuid, document_id, quote, entity, tag_id, attributes, _start in page.spans:
        if tags[tag_id] not in claim_tags:
            continue  # an entity's mention under another tag: its links count, not its place
        group = ("entity", entity) if entity is not None else ("text", tag_id, quote_hash(quote))
        row = rows.get(group)
        if row is None or (entity is None and normalise(quote) != normalise(row.label)):
            raise TextsShareAHash  # a text span read for a claim whose text it is not
        add_mention(data, row, uuid, documents[document_id], attributes, counted, shown_of)

    def label(group: Group) -> str:
        """As `Dataset.label`: an entity's name, a claim's first mention, else the text's
        first end in link order."""
        if group in labels:
            return labels[group]
        if group[0] == "entity":
            return data.entities.get(entities[group[1]], "")
        return fold_spaces(page.first_quotes.get((group[1], group[2]), ""))

    _check_end_texts(page)
    for link in page.links:
        source = _group(link[5], link[6], link[7])
        target = _group(link[10], link[11], link[12])
        add_claim_link(rows, link[1], link[2], source, target, label)
    return [rows[s.group] for s in shown]


class TextsShareAHash(Exception):
    """Two different node texts under one stored hash (about 1 in 10^19 a pair): the page
    cannot tell them apart, the table folds every claim in Python instead."""


def _check_end_texts(page) -> None:
    """Every text node at a link end has one normalised text (its ends' quotes and the label
    read for it)."""
    seen: dict[tuple[int, int], str] = {}
    for link in page.links:
        for entity, tag, hashed, quote in ((*link[5:8], link[13]), (*link[10:13], link[14])):
            if entity is None:
                text = normalise(quote)
                if seen.setdefault((tag, hashed), text) != text:
                    raise TextsShareAHash
    for key, quote in page.first_quotes.items():
        if key in seen and normalise(quote) != seen[key]:
            raise TextsShareAHash


def _group(entity: int | None, tag: int, hashed: int) -> Group:
    return ("entity", entity) if entity is not None else ("text", tag, hashed)


class ClaimTable:
    """The claims under a filter in table order, full rows built a page at a time (or all at
    once by the Python fold where SQL cannot count, and for what needs every row: sorting or
    filtering by a column SQL does not count, copying or exporting them all)."""

    def __init__(self, data: Dataset) -> None:
        self.data = data
        self.summaries = summaries(data)
        self._full: dict[str, ClaimRow] | None = None
        self._pages: dict[str, ClaimRow] = {}
        self.refolded = False
        if self.summaries is None:
            every = claim_rows(data)
            self._full = {row.node: row for row in every}
            self.order: list[ClaimSummary | ClaimRow] = list(every)
        else:
            self.order = list(self.summaries)

    @property
    def paged(self) -> bool:
        return self._full is None

    def full(self, items: list[ClaimSummary | ClaimRow]) -> list[ClaimRow]:
        """The full rows of `items` (claims of `order`), read for those not read yet."""
        if self._full is not None:  # after a refold a merged summary has no row: left out
            return [self._full[r.node] for r in items if r.node in self._full]
        missing = [s for s in items if s.node not in self._pages]
        if missing:
            try:
                found = page_rows(self.data, missing)  # type: ignore[arg-type]
            except TextsShareAHash:
                self.refold()
                return self.full(items)
            for row in found:
                self._pages[row.node] = row
        return [self._pages[r.node] for r in items]

    def refold(self) -> None:
        """Fold every claim in Python and take the fold's rows as `order` (two claim texts
        share a stored hash: the summaries merged them). A view showing the summaries
        arranges its rows again (`refolded`)."""
        every = claim_rows(self.data)
        self._full = {row.node: row for row in every}
        self.order = list(every)
        self.refolded = True

    def every_row(self) -> list[ClaimRow]:
        """Every full row in `order` (the Python fold, once)."""
        if self._full is None:
            self._full = {row.node: row for row in claim_rows(self.data)}
        return self.full(self.order)
