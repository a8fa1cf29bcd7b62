"""The desktop application: the only package that imports PySide6."""

from annotator.gui.pyside_source_scan import install as _install_source_scan

_install_source_scan()
