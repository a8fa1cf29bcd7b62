"""What an exchange writer cannot carry, counted per document layer so no loss is silent:
entity references, link notes, link attribute values and links whose layer differs from an
end's (a cross-annotator link, which a format with one layer per file or per folder loses)."""

from __future__ import annotations

from typing import Any

from annotator.io.formats.export_common import Dropped


def count_losses(
    dropped: Dropped,
    layer: Any,
    tool: str,
    *,
    entities: bool = False,
    link_notes: bool = False,
    link_attributes: bool = False,
    link_layers: bool = False,
) -> None:
    """Add to `dropped` what `layer` holds that `tool`'s format cannot carry (each flag: the
    format cannot carry that)."""
    if entities:
        n = sum(1 for s in layer.spans if s.entity)
        dropped.add("entity references", n, f"{tool} has no entities")
    if link_notes:
        n = sum(1 for x in layer.links if x.note)
        dropped.add("link notes", n, f"{tool} links carry no notes")
    if link_attributes:
        n = sum(len(x.attributes) for x in layer.links)
        dropped.add("link attribute values", n, f"{tool} links carry none")
    if link_layers:
        owner = {s.uuid: s.annotator for s in layer.spans}
        n = sum(
            1
            for x in layer.links
            if x.annotator != owner.get(x.source) or x.annotator != owner.get(x.target)
        )
        dropped.add("cross-annotator links", n, f"{tool} keeps a link only in its ends' layer")
