"""The Team menu: sync with the team database now, automatically and on close, with a status
indicator in the status bar (last sync, changes to push, offline)."""
