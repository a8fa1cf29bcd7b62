"""Curation: adjudicating annotators' disagreements into the gold layer."""

from annotator.gui.curation.window import CurationWindow

__all__ = ["CurationWindow"]
