"""Integration with the user's desktop: menu entry, icon, file type (no Qt, no project code)."""
