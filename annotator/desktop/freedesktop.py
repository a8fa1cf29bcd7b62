"""Menu entry, icon and .annotator file type for the current user (freedesktop.org, Linux/BSD).

Everything goes under $XDG_DATA_HOME (~/.local/share): applications/annotator.desktop, the icon
in icons/hicolor (SVG and PNG sizes) and mime/packages/annotator.xml, which makes .annotator
files their own type whose default application is this entry ("Open with Annotator"). The
desktop's caches are refreshed with update-desktop-database / update-mime-database /
gtk-update-icon-cache where those exist. Nothing is written outside the user's folders."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from annotator.desktop import PNG_SIZES
from annotator.resources import resource_path

APP_ID = "annotator"
MIME_TYPE = "application/x-annotator-project"
DESKTOP_FILE = f"{APP_ID}.desktop"

MIME_XML = f"""<?xml version="1.0" encoding="UTF-8"?>
<mime-info xmlns="http://www.freedesktop.org/standards/shared-mime-info">
  <mime-type type="{MIME_TYPE}">
    <comment>Annotator project</comment>
    <sub-class-of type="application/vnd.sqlite3"/>
    <icon name="{APP_ID}"/>
    <glob pattern="*.annotator" weight="80"/>
  </mime-type>
</mime-info>
"""


def data_home() -> Path:
    value = os.environ.get("XDG_DATA_HOME", "").strip()
    return Path(value) if value else Path.home() / ".local" / "share"


def launch_command() -> list[str]:
    """How the menu entry starts this installation: the frozen bundle's executable, else the
    `annotator` script beside this Python (a venv's bin/), else `python -m annotator`."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    script = Path(sys.executable).with_name("annotator")
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script)]
    return [sys.executable, "-m", "annotator"]


def _exec_quote(argument: str) -> str:
    """Quote one argument for a desktop entry's Exec key (Desktop Entry spec, "Exec key")."""
    if not any(c in argument for c in " \t\n\"'\\><~|&;$*?#()`"):
        return argument.replace("%", "%%")
    escaped = "".join("\\" + c if c in '"`$\\' else c for c in argument)
    return '"' + escaped.replace("%", "%%") + '"'


def desktop_entry(command: list[str] | None = None) -> str:
    command = launch_command() if command is None else command
    exec_line = " ".join(_exec_quote(part) for part in command) + " %f"
    return (
        "[Desktop Entry]\n"
        "Type=Application\n"
        "Version=1.4\n"
        "Name=Annotator\n"
        "GenericName=Text annotation\n"
        "Comment=Annotate articles with actors, events, claims and links\n"
        f"Exec={exec_line}\n"
        f"Icon={APP_ID}\n"
        "Terminal=false\n"
        "Categories=Office;\n"
        "Keywords=annotation;coding;corpus;qualitative;\n"
        f"MimeType={MIME_TYPE};\n"
        "StartupWMClass=annotator\n"
    )


def planned_files(root: Path | None = None) -> dict[Path, bytes]:
    """Every file `install` writes, with its content."""
    root = data_home() if root is None else root
    icons = root / "icons" / "hicolor"
    files = {
        root / "applications" / DESKTOP_FILE: desktop_entry().encode("utf-8"),
        root / "mime" / "packages" / f"{APP_ID}.xml": MIME_XML.encode("utf-8"),
        icons / "scalable" / "apps" / f"{APP_ID}.svg": resource_path(
            "icons/annotator.svg"
        ).read_bytes(),
    }
    for size in PNG_SIZES:
        name = f"icons/hicolor/{size}x{size}/apps/{APP_ID}.png"
        files[root / name] = resource_path(name).read_bytes()
    return files


def installed_files(root: Path | None = None) -> list[Path]:
    return [path for path in planned_files(root) if path.exists()]


def install(root: Path | None = None) -> list[str]:
    """Write the entry, icon and file type for this user; returns what was done, line by line."""
    root = data_home() if root is None else root
    for path, content in planned_files(root).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.tmp")
        temp.write_bytes(content)
        os.replace(temp, path)
    lines = [f"installed the Annotator menu entry, icon and .annotator file type in {root}"]
    return lines + _refresh(root)


def uninstall(root: Path | None = None) -> list[str]:
    root = data_home() if root is None else root
    removed = 0
    for path in planned_files(root):
        if path.exists():
            path.unlink()
            removed += 1
    if not removed:
        return [f"nothing to remove: Annotator is not installed in {root}"]
    return [
        f"removed {removed} file(s) of Annotator's desktop integration from {root}",
        *_refresh(root),
    ]


def _refresh(root: Path) -> list[str]:
    """Tell the desktop about the change (each tool only where it is installed)."""
    steps = [
        ("update-desktop-database", ["update-desktop-database", "-q", str(root / "applications")]),
        ("update-mime-database", ["update-mime-database", str(root / "mime")]),
        (
            "gtk-update-icon-cache",
            ["gtk-update-icon-cache", "-q", "-t", "-f", str(root / "icons" / "hicolor")],
        ),
    ]
    missing = []
    for tool, command in steps:
        if shutil.which(tool) is None:
            missing.append(tool)
            continue
        subprocess.run(command, capture_output=True, timeout=120, check=False)
    if missing:
        return [f"(not found here, skipped: {', '.join(missing)}; the desktop may need a re-login)"]
    return []
