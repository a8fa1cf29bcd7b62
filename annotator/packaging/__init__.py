"""The standalone bundle (PyInstaller, one folder): build it, and its Xvfb smoke test."""
