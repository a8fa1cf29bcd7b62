"""Integration with the user's desktop: menu entry, icon, file type (no Qt, no project code)."""

#: The icon's PNG sizes (hicolor NxN folders), shared by the installer and the window's icon.
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256)
