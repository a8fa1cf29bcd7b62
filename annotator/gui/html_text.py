"""Plain text made safe inside the rich text of tooltips, delegates and labels."""

from __future__ import annotations

# What html.escape does, without importing the html package: it loads html.entities' table
# of 2,231 names for unescaping (about 0.5 MB), which the window never needs (issue 14's
# import memory budget).
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#x27;"})


def escape_html(text: str) -> str:
    """`text` with &, <, >, " and ' as character references (as html.escape(text))."""
    return text.translate(_ESCAPES)
