"""Issue 17 items 3 and 4: a ~1 MB archive of every format that unpacks to 1 GiB is refused
with one line naming the limit, in a subprocess whose peak memory (its own VmHWM) stays
under 300 MB, and the project keeps its bytes."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.io import bounded_zip

PEAK_BOUND_KIB = 300 * 1024  # VmHWM is in KiB
PLACEHOLDER = "b" * 40  # the bomb member's name, patched per format (same length)
# The child's own peak is VmHWM (KiB), not ru_maxrss: Linux keeps ru_maxrss across execve, so
# a child forked from a large pytest process would report the parent's size.
CHILD = """
import re, sys
from annotator.cli import main
code = main(sys.argv[1:])
status = open("/proc/self/status").read()
peak = re.search(r"VmHWM:\\s+(\\d+)", status).group(1)
print("maxrss=" + peak, file=sys.stderr)
sys.exit(code)
"""

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss in KiB: Linux")


def _stream_member(archive: zipfile.ZipFile, name: str, size: int) -> None:
    with archive.open(name, "w", force_zip64=True) as member:
        chunk = b"a" * (1 << 20)
        for _ in range(size // len(chunk)):
            member.write(chunk)


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A 1 MB zip whose one member unpacks to 1 GiB (built once: ~3 s)."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        _stream_member(archive, PLACEHOLDER, 1024**3)
    data = path.read_bytes()
    assert len(data) < 2 * 1024**2
    return data


def _named(bomb: bytes, path: Path, name: str, extra: dict[str, str]) -> Path:
    """The bomb with its member renamed (in the local header and the directory) and small
    members added (appended without recompressing the bomb)."""
    assert len(name) == len(PLACEHOLDER), name
    path.write_bytes(bomb.replace(PLACEHOLDER.encode(), name.encode()))
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        for member, text in extra.items():
            archive.writestr(member, text)
    return path


def _pad(prefix: str, suffix: str) -> str:
    return prefix + "x" * (len(PLACEHOLDER) - len(prefix) - len(suffix)) + suffix


QDE = (
    '<?xml version="1.0" encoding="utf-8"?><Project xmlns="urn:QDA-XML:project:1.0" name="p">'
    '<Sources><TextSource guid="a2c1f7b0-0000-4000-8000-000000000001" name="s" '
    'plainTextPath="internal://{name}"/></Sources></Project>'
)
REFI = ("import", "--format", "refiqda")
CASES = {
    "brat zip": ("bomb.zip", ("import", "--format", "brat"), _pad("c/", ".txt"), "ann"),
    "qdpx source": ("bomb.qdpx", REFI, _pad("Sources/", ".txt"), "qde"),
    "qdpx qde": ("bomb.qdpx", REFI, _pad("", ".qde"), None),
    "xmi zip": ("bomb.zip", ("import", "--format", "xmi"), _pad("", ".xmi"), None),
    "docx": ("bomb.docx", ("add",), _pad("word/", ".xml"), None),
    "epub": ("bomb.epub", ("add",), _pad("OEBPS/", ".xhtml"), None),
}


def _extra(kind: str | None, name: str) -> dict[str, str]:
    if kind == "ann":
        return {name.removesuffix(".txt") + ".ann": "T1\tactor 0 1\ta\n"}
    if kind == "qde":
        return {"project.qde": QDE.format(name=name.removeprefix("Sources/"))}
    return {}


def _child(*args: object) -> tuple[int, str, int]:
    done = subprocess.run(
        [sys.executable, "-c", CHILD, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = done.stderr.strip().splitlines()
    peak = int(lines[-1].removeprefix("maxrss="))
    return done.returncode, "\n".join(lines[:-1]), peak


@pytest.mark.parametrize("case", sorted(CASES))
def test_bomb_is_refused_under_the_memory_bound(
    tmp_path: Path, bomb: bytes, capsys, case: str
) -> None:
    file_name, command, member, kind = CASES[case]
    source = _named(bomb, tmp_path / file_name, member, _extra(kind, member))
    assert source.stat().st_size < 2 * 1024**2
    project = tmp_path / "p.annotator"
    assert main(["new", str(project), "--sample"]) == 0
    before = project.read_bytes()
    argv = [command[0], project, *command[1:], source] if command[0] == "import" else None
    argv = argv or ["add", project, source]

    code, err, peak = _child(*argv)

    assert code == 1, err
    assert len(err.splitlines()) == 1, err
    assert "limit" in err and "MiB" in err and source.name in err, err
    assert "internal error" not in err and "Traceback" not in err
    assert peak < PEAK_BOUND_KIB, f"{case}: peak {peak / 1024:.0f} MB"
    assert project.read_bytes() == before
    print(f"{case}: refused at peak {peak / 1024:.0f} MB: {err}")


def test_many_members_under_the_member_cap_hit_the_total_cap(tmp_path: Path) -> None:
    """Members each under the per-member cap are still refused when together they pass the
    archive's cap (counted while unpacking; the header's sizes are never used)."""
    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for i in range(5):
            _stream_member(archive, f"m{i}.xmi", 8 * 1024**2)
    with bounded_zip.BoundedZip(path, max_member=10 * 1024**2, max_total=30 * 1024**2) as z:
        with pytest.raises(bounded_zip.ArchiveRefused, match="the limit for a whole archive"):
            z.check_all()


def test_a_header_that_understates_a_member_is_refused(tmp_path: Path) -> None:
    """A member whose directory entry claims 10 bytes but unpacks to 1 MiB: never trusted."""
    path = tmp_path / "lying.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.txt", b"a" * (1 << 20))
    data = bytearray(path.read_bytes())
    (info,) = zipfile.ZipFile(path).infolist()
    central = data.rindex(b"PK\x01\x02")
    data[central + 24 : central + 28] = (10).to_bytes(4, "little")  # uncompressed size
    with bounded_zip.BoundedZip(bytes(data), "lying.zip") as archive:
        with pytest.raises(bounded_zip.ArchiveRefused, match=r"lying\.zip: a\.txt cannot be"):
            archive.read("a.txt")
    assert info.file_size == 1 << 20
