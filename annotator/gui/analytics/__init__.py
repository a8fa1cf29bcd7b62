"""The Analytics window: network, timeline, claims and statistics over the project, with
filters, live updates and passages that lead back to the text."""

from annotator.gui.analytics.window import AnalyticsWindow

__all__ = ["AnalyticsWindow"]
