"""Dialogs and small tools: schema editor, link picker, search bar, shortcuts, progress."""
