"""Reading pane: a fast read-only text view with span highlights and link arcs (no database)."""

from annotator.gui.reading.offsets import OffsetMap
from annotator.gui.reading.snapping import snap_to_words
from annotator.gui.reading.span_index import DisplayLink, DisplaySpan, SpanIndex
from annotator.gui.reading.view import ReadingView

__all__ = ["DisplayLink", "DisplaySpan", "OffsetMap", "ReadingView", "SpanIndex", "snap_to_words"]
