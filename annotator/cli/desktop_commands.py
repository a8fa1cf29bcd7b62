"""Desktop sub-command: `annotator desktop install|uninstall` (menu entry, icon, file type)."""

from __future__ import annotations

import argparse

from annotator.cli.common import say


def register(sub) -> dict:
    """Add this module's sub-commands to the parser; return their handlers by name."""
    p = sub.add_parser(
        "desktop",
        help="add Annotator to (or remove it from) your desktop's menu and file manager",
        description="install: for the current user, a menu entry, the icon and the .annotator "
        "file type with 'Open with Annotator' (freedesktop.org, under ~/.local/share). "
        "uninstall: remove them again.",
    )
    p.add_argument("action", choices=["install", "uninstall", "status"])
    return {"desktop": cmd_desktop}


def cmd_desktop(args: argparse.Namespace) -> int:
    import sys

    if sys.platform in ("win32", "darwin"):
        say(
            "annotator desktop: this sets up Linux desktops (freedesktop.org); on Windows and "
            'macOS use the standalone bundle, as the README\'s "Desktop integration" says'
        )
        return 1
    from annotator.desktop import freedesktop

    if args.action == "status":
        installed = freedesktop.installed_files()
        print("installed" if installed else "not installed")
        for path in installed:
            print(f"  {path}")
        return 0
    report = freedesktop.install() if args.action == "install" else freedesktop.uninstall()
    for line in report:
        say(line)
    return 0
