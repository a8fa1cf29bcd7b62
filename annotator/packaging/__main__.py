"""`python -m annotator.packaging [--smoke-test]`: build the standalone bundle (and test it).

Builds with resources/packaging/annotator.spec into build/bundle/ under a temporary work folder
(nothing is written at the checkout's top level) and prints the bundle's folder, size and
files. `--smoke-test` then runs resources/packaging/bundle_smoke_test on it: start under Xvfb,
open the sample, tag a span with xdotool, quit, check the file with the bundle's own CLI.
Needs PyInstaller (`pip install pyinstaller`) in the environment that runs it."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "resources" / "packaging" / "annotator.spec"
SMOKE_TEST = ROOT / "resources" / "packaging" / "bundle_smoke_test"


def folder_size_mb(folder: Path) -> float:
    """Bytes of the bundle's files (symbolic links, which PyInstaller makes for Qt's
    libraries, counted once)."""
    files = [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()]
    return sum(p.stat().st_size for p in files) / 2**20


def build(dist: Path) -> Path:
    """Run PyInstaller; returns the bundle's folder (dist/annotator)."""
    if shutil.which("pyinstaller") is None and not _has_pyinstaller():
        raise SystemExit("annotator.packaging: PyInstaller is missing: pip install pyinstaller")
    work = Path(tempfile.mkdtemp(prefix="annotator-pyinstaller-"))
    try:
        command = [
            sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level=WARN",
            "--distpath", str(dist), "--workpath", str(work), str(SPEC),
        ]  # fmt: skip
        env = {**os.environ, "ANNOTATOR_ROOT": str(ROOT)}
        subprocess.run(command, check=True, env=env, cwd=work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return dist / "annotator"


def _has_pyinstaller() -> bool:
    import importlib.util

    return importlib.util.find_spec("PyInstaller") is not None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m annotator.packaging", description=__doc__)
    parser.add_argument(
        "--dist",
        type=Path,
        default=Path(tempfile.gettempdir()) / "annotator-bundle",
        help="where the bundle folder goes (default: %(default)s)",
    )
    parser.add_argument("--smoke-test", action="store_true", help="then run the Xvfb smoke test")
    args = parser.parse_args(argv)
    if not SPEC.is_file() or not (ROOT / "schema.sql").is_file():
        raise SystemExit("annotator.packaging: run it from a source checkout (git clone)")
    bundle = build(args.dist)
    files = sum(1 for p in bundle.rglob("*") if p.is_file() and not p.is_symlink())
    print(f"bundle: {bundle} ({folder_size_mb(bundle):.0f} MB, {files} files)", flush=True)
    if args.smoke_test:
        return subprocess.run([str(SMOKE_TEST), str(bundle)], check=False).returncode
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
