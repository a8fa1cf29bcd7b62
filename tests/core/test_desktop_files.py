"""`annotator desktop install|uninstall` (issue 14): the freedesktop.org entry, the icon and the
.annotator file type, for the current user only; validated with desktop-file-validate and
update-mime-database where they are installed."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from annotator.cli import main
from annotator.desktop import freedesktop


@pytest.fixture
def share(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "share"
    monkeypatch.setenv("XDG_DATA_HOME", str(folder))
    monkeypatch.setattr(sys, "platform", "linux")
    return folder


def entry_fields(path: Path) -> dict[str, str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "[Desktop Entry]"
    return dict(line.split("=", 1) for line in lines[1:] if line)


def test_install_writes_the_entry_icon_and_file_type(share, capsys) -> None:
    assert main(["desktop", "install"]) == 0
    assert f"in {share}" in capsys.readouterr().err
    entry = entry_fields(share / "applications" / "annotator.desktop")
    assert entry["Name"] == "Annotator" and entry["Icon"] == "annotator"
    assert entry["MimeType"] == "application/x-annotator-project;"
    assert entry["Exec"].endswith(" %f") and entry["Type"] == "Application"
    assert (share / "icons/hicolor/scalable/apps/annotator.svg").read_bytes().startswith(b"<svg")
    for size in freedesktop.PNG_SIZES:
        png = share / f"icons/hicolor/{size}x{size}/apps/annotator.png"
        assert png.read_bytes().startswith(b"\x89PNG"), png
    mime = ElementTree.parse(share / "mime/packages/annotator.xml").getroot()
    ns = "{http://www.freedesktop.org/standards/shared-mime-info}"
    (kind,) = mime.findall(f"{ns}mime-type")
    assert kind.get("type") == "application/x-annotator-project"
    assert kind.find(f"{ns}glob").get("pattern") == "*.annotator"


def test_the_entry_starts_this_installation(share) -> None:
    freedesktop.install()
    command = entry_fields(share / "applications" / "annotator.desktop")["Exec"][: -len(" %f")]
    assert command.split()[0] in (str(Path(sys.executable).with_name("annotator")), sys.executable)


def test_exec_quoting_follows_the_spec() -> None:
    entry = freedesktop.desktop_entry(["/opt/My Tools/annotator", "--x=100%"])
    assert 'Exec="/opt/My Tools/annotator" --x=100%% %f' in entry.splitlines()


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="no desktop-file-utils")
def test_the_entry_passes_desktop_file_validate(share) -> None:
    freedesktop.install()
    result = subprocess.run(
        ["desktop-file-validate", str(share / "applications" / "annotator.desktop")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and result.stdout.strip() == "", result.stdout


@pytest.mark.skipif(shutil.which("update-mime-database") is None, reason="no shared-mime-info")
def test_the_mime_database_knows_annotator_files(share) -> None:
    freedesktop.install()
    globs = (share / "mime" / "globs2").read_text(encoding="utf-8")
    assert "application/x-annotator-project:*.annotator" in globs
    if shutil.which("update-desktop-database"):
        cache = (share / "applications" / "mimeinfo.cache").read_text(encoding="utf-8")
        assert "application/x-annotator-project=annotator.desktop;" in cache


def test_uninstall_removes_every_file_it_wrote(share, capsys) -> None:
    freedesktop.install()
    written = freedesktop.installed_files()
    assert len(written) == len(freedesktop.planned_files())
    assert main(["desktop", "uninstall"]) == 0
    assert freedesktop.installed_files() == []
    assert all(not path.exists() for path in written)
    assert main(["desktop", "uninstall"]) == 0
    assert "nothing to remove" in capsys.readouterr().err


def test_status_lists_what_is_installed(share, capsys) -> None:
    assert main(["desktop", "status"]) == 0
    assert capsys.readouterr().out == "not installed\n"
    freedesktop.install()
    assert main(["desktop", "status"]) == 0
    assert capsys.readouterr().out.startswith("installed\n")


def test_windows_and_macos_are_pointed_to_the_readme(monkeypatch, capsys) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    assert main(["desktop", "install"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "README" in err[0]
