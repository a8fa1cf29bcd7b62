"""Side panels of the main window: document list, span and link tables, span inspector."""
