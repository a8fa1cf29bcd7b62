"""Annotator: a desktop tool for annotating articles with actors, events, claims and links."""

__version__ = "0.1.0"
