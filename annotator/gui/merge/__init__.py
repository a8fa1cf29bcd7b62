"""Merging colleagues' project files from the GUI: File ▸ Merge… and File ▸ Merge history…"""
