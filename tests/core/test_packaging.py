"""The wheel built from the repo carries schema.sql and resources/ and works without the
source tree."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

from annotator.services.identity import CONFIG_DIR_VARIABLE

ROOT = Path(__file__).resolve().parents[2]


def test_wheel_contains_schema_and_resources_and_runs_alone(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(tmp_path / "dist"),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (wheel,) = (tmp_path / "dist").glob("annotator-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        archive.extractall(tmp_path / "site")
    assert "annotator/schema.sql" in names
    resources = ROOT / "resources"
    readme_images = ("screenshot.png", "docs/")  # the README's, not the app's
    for resource in sorted(p.relative_to(resources).as_posix() for p in resources.rglob("*")):
        if not (resources / resource).is_file():
            continue
        in_wheel = f"annotator/resources/{resource}" in names
        assert in_wheel != resource.startswith(readme_images), resource  # icons/hicolor/… in
    script = (
        "import pathlib, sys, annotator\n"
        "assert annotator.__file__.startswith(sys.argv[1]), annotator.__file__\n"
        "from annotator.services.sample import create_sample_project\n"
        "create_sample_project(pathlib.Path(sys.argv[2]), 'wheel').close()\n"
    )
    project = tmp_path / "from-wheel.annotator"
    subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "site"), str(project)],
        check=True,
        capture_output=True,
        timeout=120,
        cwd=tmp_path,
        env={
            "PYTHONPATH": str(tmp_path / "site"),
            "PATH": "/usr/bin:/bin",
            # the test's own identity folder (tests/conftest.py), not the user's config
            CONFIG_DIR_VARIABLE: os.environ[CONFIG_DIR_VARIABLE],
        },
    )
    assert project.exists()
    assert "wheel" in (Path(os.environ[CONFIG_DIR_VARIABLE]) / "identity.json").read_text()


def test_pyside6_is_kept_below_the_crashing_release_on_python_311() -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert "\"PySide6-Essentials>=6.8,<6.12; python_version < '3.12'\"" in text
