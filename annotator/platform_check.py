"""Before Qt starts: can its platform plugin load? If not, one line saying what to install.

Qt itself prints a hint that may name the wrong library and then aborts the process (exit 134)
when the xcb plugin's system libraries are missing. This check reads the same dependencies with
`ldd` first, so the user gets the missing libraries and the command that installs them on
Debian/Ubuntu (apt), Fedora (dnf) and Arch (pacman), and a normal non-zero exit. It imports
nothing from Qt (finding PySide6's folder does not load it)."""

from __future__ import annotations

import ctypes
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

#: Shared library → (apt, dnf, pacman) package, for what Qt's xcb and wayland plugins load.
PACKAGES: dict[str, tuple[str, str, str]] = {
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm", "xcb-util-wm"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms", "xcb-util-keysyms"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image", "xcb-util-image"),
    "libxcb-render-util.so.0": (
        "libxcb-render-util0",
        "xcb-util-renderutil",
        "xcb-util-renderutil",
    ),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util", "xcb-util"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11", "libxkbcommon-x11"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon", "libxkbcommon"),
    "libxcb.so.1": ("libxcb1", "libxcb", "libxcb"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb", "libx11"),
    "libX11.so.6": ("libx11-6", "libX11", "libx11"),
    "libSM.so.6": ("libsm6", "libSM", "libsm"),
    "libICE.so.6": ("libice6", "libICE", "libice"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig", "fontconfig"),
    "libfreetype.so.6": ("libfreetype6", "freetype", "freetype2"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl", "libglvnd"),
    "libGL.so.1": ("libgl1", "libglvnd-glx", "libglvnd"),
    "libOpenGL.so.0": ("libopengl0", "libglvnd-opengl", "libglvnd"),
    "libGLX.so.0": ("libglx0", "libglvnd-glx", "libglvnd"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs", "dbus"),
    "libglib-2.0.so.0": ("libglib2.0-0", "glib2", "glib2"),
    "libwayland-client.so.0": ("libwayland-client0", "libwayland-client", "wayland"),
    "libwayland-cursor.so.0": ("libwayland-cursor0", "libwayland-cursor", "wayland"),
    "libwayland-egl.so.1": ("libwayland-egl1", "libwayland-egl", "wayland"),
}
# The xcb extensions: one package each on Debian, all in libxcb on Fedora and Arch.
PACKAGES.update(
    {
        f"libxcb-{ext}.so.{n}": (f"libxcb-{ext}{n}", "libxcb", "libxcb")
        for ext, n in (
            ("shape", 0),
            ("xinerama", 0),
            ("randr", 0),
            ("render", 0),
            ("shm", 0),
            ("sync", 1),
            ("xfixes", 0),
            ("xinput", 0),
            ("xkb", 1),
        )
    }
)
#: Loaded at run time (dlopen) by Qt >= 6.5's xcb plugin, so `ldd` does not list it.
DLOPENED = {"xcb": ("libxcb-cursor.so.0",)}
#: Platforms that draw without a display server (or are a test's own choice): nothing to check.
HEADLESS = {"offscreen", "minimal", "minimalegl", "vnc", "linuxfb", "eglfs", "vkkhrdisplay"}
_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found", re.MULTILINE)

Ldd = Callable[[Path], str | None]


def platform_problem(ldd: Ldd | None = None) -> str | None:
    """None when Qt's platform plugin can load here; else one line saying why not and how to
    fix it. Only Linux is checked (Windows and macOS wheels carry what they need)."""
    if not sys.platform.startswith("linux"):
        return None
    plugins = _plugin_folder()
    if plugins is None:
        return None  # PySide6 missing or laid out unexpectedly: the import reports it
    ldd = ldd or run_ldd
    problems: list[str] = []
    for platform in _candidates():
        name = platform.split(":")[0]
        if name in HEADLESS:
            return None
        problem = _check(name, plugins, ldd)
        if problem is None:
            return None
        problems.append(problem)
    return problems[0] if problems else None


def _candidates() -> list[str]:
    """The platforms Qt will try, in its order: QT_QPA_PLATFORM ("wayland;xcb" style), else
    Wayland first in a Wayland session, then X11."""
    chosen = os.environ.get("QT_QPA_PLATFORM", "").strip()
    if chosen:
        return [p.strip() for p in chosen.split(";") if p.strip()]
    return ["wayland", "xcb"] if os.environ.get("WAYLAND_DISPLAY") else ["xcb"]


def _check(name: str, plugins: Path, ldd: Ldd) -> str | None:
    if name == "xcb" and not os.environ.get("DISPLAY"):
        return "no X display (DISPLAY is not set): start it from a desktop session"
    if name == "wayland" and not os.environ.get("WAYLAND_DISPLAY"):
        return "no Wayland display (WAYLAND_DISPLAY is not set): start it from a desktop session"
    plugin = plugins / f"libq{name}.so"
    if not plugin.is_file():
        return None  # a platform this check does not know: let Qt try
    output = ldd(plugin)
    if output is None:
        return None  # no ldd here: nothing to say before Qt tries
    missing = list(dict.fromkeys(_NOT_FOUND.findall(output)))
    missing += [lib for lib in DLOPENED.get(name, ()) if lib not in missing and not _loads(lib)]
    if not missing:
        return None
    return missing_line(name, missing)


def missing_line(platform: str, missing: list[str]) -> str:
    """The one line naming the missing libraries and the command per distribution."""
    unknown = [lib for lib in missing if lib not in PACKAGES]
    known = [PACKAGES[lib] for lib in missing if lib in PACKAGES]

    def command(index: int, install: str) -> str:
        names = list(dict.fromkeys(packages[index] for packages in known))
        return f"{install} {' '.join(names)}"

    text = f"Qt's {platform} platform plugin needs {', '.join(missing)}, missing here"
    if known:
        text += (
            f"; install with `{command(0, 'sudo apt install')}` (Debian/Ubuntu), "
            f"`{command(1, 'sudo dnf install')}` (Fedora) or "
            f"`{command(2, 'sudo pacman -S')}` (Arch)"
        )
    if unknown:
        text += f"; find the package that provides {', '.join(unknown)} for your system"
    return text


def run_ldd(library: Path) -> str | None:
    """`ldd library`'s output, or None when ldd is not installed or fails."""
    ldd = shutil.which("ldd")
    if ldd is None:
        return None
    try:
        result = subprocess.run(
            [ldd, str(library)], capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout


def _loads(library: str) -> bool:
    try:
        ctypes.CDLL(library)
    except OSError:
        return False
    return True


def _plugin_folder() -> Path | None:
    try:
        spec = importlib.util.find_spec("PySide6")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations))) / "Qt" / "plugins" / "platforms"
    return folder if folder.is_dir() else None
