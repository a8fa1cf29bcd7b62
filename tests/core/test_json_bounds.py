"""Issue 17: a JSON file whose strings or structure are out of bounds is refused while its
bytes stream by (io/json_bounds), before any whole parse: one line, the project unchanged, and
for the issue's 200 MiB text a peak memory under 300 MB, measured in a child process."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import uuid
from pathlib import Path

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotator.cli import main
from annotator.domain import content_rules
from annotator.io import json_bounds
from annotator.io.json_bounds import JsonBoundsError, _Scanner, check_json_bounds


def run(capsys, *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "internal error" not in captured.err
    return code, captured.out, captured.err.strip()


@pytest.fixture
def sample(tmp_path: Path, capsys) -> Path:
    path = tmp_path / "p.annotator"
    assert run(capsys, "new", path, "--sample")[0] == 0
    return path


def longest_string(value: object) -> int:
    """The longest string (key or value) in a parsed JSON value, in bytes of UTF-8."""
    if isinstance(value, str):
        return len(value.encode("utf-8", "surrogatepass"))
    if isinstance(value, dict):
        return max([0, *map(longest_string, value), *map(longest_string, value.values())])
    if isinstance(value, list):
        return max([0, *map(longest_string, value)])
    return 0


def scan(data: bytes, string_limit: int, step: int) -> str | None:
    scanner = _Scanner(string_limit, 10**9)
    problems = [scanner.feed(data[at : at + step]) for at in range(0, len(data), step)]
    return next((p for p in problems if p), None)


@given(
    st.lists(st.text(alphabet='a"\\\né€😀\x01 {[\u2028', max_size=30), min_size=1, max_size=5),
    st.booleans(),
    st.integers(1, 9),
)
def test_the_scanner_measures_every_string_as_decoded(strings, ascii_only, step) -> None:
    """Escapes (\\n, \\", \\u00e9, surrogate pairs) cut at any chunk boundary: the scanner's
    longest string is the parser's, in bytes of UTF-8."""
    value = {"k": strings, "n": [1, 2.5, None, {"z": strings[0]}]}
    data = json.dumps(value, ensure_ascii=ascii_only).encode()
    longest = longest_string(value)
    assert scan(data, longest, step) is None
    if longest > 0:
        assert scan(data, longest - 1, step) is not None


def test_a_long_stretch_without_strings_is_refused(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(json_bounds, "MAX_GAP_BYTES", 1000)
    path = tmp_path / "numbers.json"
    path.write_text('{"a": [' + "1," * 600 + "1]}")
    with pytest.raises(JsonBoundsError) as refused:
        check_json_bounds(path)
    assert str(refused.value) == (
        "line 1: more than 1,000 bytes of JSON without a string (not an export of any tool)"
    )
    path.write_text('{"a": [' + '1, "b", ' * 600 + "1]}")
    check_json_bounds(path)  # the same numbers between strings are fine


def test_a_picture_is_named_not_measured(tmp_path: Path) -> None:
    path = tmp_path / "photo.json"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(3 << 20))  # 3 MiB without a quote
    with pytest.raises(JsonBoundsError) as refused:
        check_json_bounds(path)
    assert str(refused.value) == "not a JSON file (it is binary, not text)"


def export_with_text(sample: Path, tmp_path: Path, capsys, text: str) -> Path:
    run(capsys, "export", sample, "--format", "json", "-o", tmp_path / "p.json")
    data = orjson.loads((tmp_path / "p.json").read_bytes())
    sha = hashlib.sha256(text.encode()).hexdigest()
    new = {"id": str(uuid.uuid4()), "text": text, "sha256": sha, "spans": [], "links": []}
    data["documents"][0] |= new
    path = tmp_path / "big.json"
    path.write_bytes(orjson.dumps(data, option=orjson.OPT_INDENT_2))
    return path


def test_a_json_import_over_the_limit_is_refused_before_parsing(
    tmp_path: Path, sample: Path, capsys, monkeypatch
) -> None:
    monkeypatch.setattr(content_rules, "MAX_TEXT_BYTES", 4096)
    path = export_with_text(sample, tmp_path, capsys, "a\n" * 2049)  # 4,098 bytes, escaped
    before = sample.read_bytes()
    code, _, err = run(capsys, "import", sample, path)
    assert code == 1
    assert err.startswith("annotator import: big.json: line ")
    assert err.endswith(": a string over 4,096 bytes (the text limit for one document)")
    assert len(err.splitlines()) == 1
    assert sample.read_bytes() == before


def test_a_json_import_at_the_limit_is_accepted(
    tmp_path: Path, sample: Path, capsys, monkeypatch
) -> None:
    """Escapes count as the characters they stand for: 2,048 escaped line ends are 2,048
    bytes of text, not 4,096 of file."""
    monkeypatch.setattr(content_rules, "MAX_TEXT_BYTES", 4096)
    path = export_with_text(sample, tmp_path, capsys, "ab\n" * 1364 + "éaa")
    code, _, err = run(capsys, "import", sample, path)
    assert code == 0, err


LABEL_STUDIO = '[{"id": 1, "data": {"text": "%s"}, "annotations": []}]'
W3C = '{"type": "AnnotationCollection", "documents": [{"text": "%s"}], "items": []}'


@pytest.mark.parametrize(
    ("fmt", "template"), [("labelstudio", LABEL_STUDIO), ("w3c", W3C)], ids=["ls", "w3c"]
)
def test_the_foreign_json_formats_refuse_while_streaming(
    tmp_path: Path, sample: Path, capsys, monkeypatch, fmt: str, template: str
) -> None:
    monkeypatch.setattr(content_rules, "MAX_TEXT_BYTES", 1000)
    path = tmp_path / "big.json"
    path.write_text(template % ("word " * 300))
    before = sample.read_bytes()
    code, _, err = run(capsys, "import", sample, "--format", fmt, path)
    assert code == 1
    assert err == (
        "annotator import: big.json: line 1: a string over 1,000 bytes (the text limit for "
        "one document)"
    )
    assert sample.read_bytes() == before


# The child's own peak is VmHWM (KiB), not ru_maxrss: Linux keeps ru_maxrss across execve.
CHILD = """
import re, sys
from annotator.cli import main
code = main(sys.argv[1:])
status = open("/proc/self/status").read()
print("maxrss=" + re.search(r"VmHWM:\\s+(\\d+)", status).group(1), file=sys.stderr)
sys.exit(code)
"""


def write_huge(path: Path, head: bytes, tail: bytes) -> None:
    """head + a 200 MiB text + tail, written a chunk at a time."""
    chunk = b"word " * (1 << 18)  # 1.25 MiB
    with path.open("wb") as out:
        out.write(head)
        for _ in range(160):
            out.write(chunk)
        out.write(tail)


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="VmHWM: Linux")
@pytest.mark.parametrize("fmt", ["json", "labelstudio", "w3c"])
def test_a_200_mib_text_is_refused_under_300_mb(
    tmp_path: Path, sample: Path, capsys, fmt: str
) -> None:
    """The issue's case at full size: the project export's text peaked at 668 MB before."""
    if fmt == "json":
        run(capsys, "export", sample, "--format", "json", "-o", tmp_path / "p.json")
        head, _, tail = (tmp_path / "p.json").read_bytes().partition(b'"text":"')
        head += b'"text":"'
        tail = tail[tail.index(b'"') :]
    else:
        head, tail = (LABEL_STUDIO if fmt == "labelstudio" else W3C).encode().split(b"%s")
    source = tmp_path / "huge.json"
    write_huge(source, head, tail)
    before = sample.read_bytes()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, "import", str(sample), "--format", fmt, str(source)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    source.unlink()
    line, peak = done.stderr.strip().splitlines()
    assert done.returncode == 1, done.stderr
    assert line.startswith("annotator import: huge.json: line ")
    assert line.endswith("a string over 100 MiB (the text limit for one document)")
    print(f"{fmt}: peak {int(peak.removeprefix('maxrss=')) / 1024:.0f} MB")
    assert int(peak.removeprefix("maxrss=")) < 300 * 1024
    assert sample.read_bytes() == before


def write_texts_export(sample: Path, tmp_path: Path, capsys, path: Path, texts: int, size: int,
                       bad_last: bool) -> None:  # fmt: skip
    """The sample's export with `texts` more documents of `size` bytes of text each (each under
    the text limit), written a chunk at a time; with bad_last, the last one's span names a tag
    the schema does not have."""
    run(capsys, "export", sample, "--format", "json", "-o", tmp_path / "p.json")
    data = orjson.loads((tmp_path / "p.json").read_bytes())
    documents_at = list(data).index("documents")
    head = orjson.dumps(dict(list(data.items())[:documents_at]))[:-1] + b',"documents":['
    tail = b"]," + orjson.dumps(dict(list(data.items())[documents_at + 1 :]))[1:]
    annotator = data["annotators"][0]["id"]
    stamp = data["documents"][0]["created"]
    chunk = b"word " * (1 << 18)  # 1.25 MiB
    with path.open("wb") as out:
        out.write(head)
        for k in range(texts):
            first = f"text {k:06d} ".encode()
            digest = hashlib.sha256(first)
            whole, rest = divmod(size - len(first), len(chunk))
            pieces = [chunk] * whole + [chunk[:rest]]
            for piece in pieces:
                digest.update(piece)
            tag = "no-such-tag" if bad_last and k == texts - 1 else "actor"
            span = {"id": str(uuid.uuid4()), "tag": tag, "fragments": [[0, 4]], "text": "text",
                    "annotator": annotator, "created": stamp, "modified": stamp}  # fmt: skip
            out.write(b'{"id":"%s","title":"t%d","text":"' % (str(uuid.uuid4()).encode(), k))
            out.write(first)
            for piece in pieces:
                out.write(piece)
            document = {"sha256": digest.hexdigest(), "metadata": {}, "created": stamp,
                        "modified": stamp, "spans": [span], "links": [], "status": []}  # fmt: skip
            out.write(b'",' + orjson.dumps(document)[1:])
            out.write(b"," if k < texts - 1 else b"")
        out.write(tail)


def child_import(sample: Path, source: Path) -> tuple[int, str, int]:
    """(exit status, the refusal line, peak KiB) of `annotator import` in a child process."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, "import", str(sample), str(source)],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    *lines, peak = done.stderr.strip().splitlines()
    return done.returncode, "\n".join(lines), int(peak.removeprefix("maxrss="))


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="VmHWM: Linux")
def test_many_texts_past_the_file_limit_are_refused_unread(
    tmp_path: Path, sample: Path, capsys
) -> None:
    """22 texts of 99 MiB, each under the text limit, 2.2 GB in all: refused before a byte
    of it is parsed (the file limit, 2 GB, is checked first)."""
    source = tmp_path / "texts.json"
    write_texts_export(sample, tmp_path, capsys, source, 22, 99 * 1024**2, bad_last=False)
    before = sample.read_bytes()
    code, line, peak = child_import(sample, source)
    source.unlink()
    print(f"2.2 GB of texts: peak {peak / 1024:.0f} MB: {line}")
    assert code == 1, line
    assert line == "annotator import: texts.json is larger than 2 GB"
    assert peak < 300 * 1024
    assert sample.read_bytes() == before


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="VmHWM: Linux")
def test_a_bad_last_row_after_many_texts_is_refused_under_300_mb(
    tmp_path: Path, sample: Path, capsys
) -> None:
    """6 texts of 64 MiB (384 MiB of JSON) whose last document's span is bad: refused by the
    streaming check at the memory of one document (parsed whole, it peaked at about 1 GB)."""
    source = tmp_path / "texts.json"
    write_texts_export(sample, tmp_path, capsys, source, 6, 64 * 1024**2, bad_last=True)
    before = sample.read_bytes()
    code, line, peak = child_import(sample, source)
    source.unlink()
    print(f"bad last row after 384 MiB of texts: peak {peak / 1024:.0f} MB: {line}")
    assert code == 1, line
    assert line == (
        "annotator import: texts.json: $.documents[5].spans[0].tag: no tag type "
        "“no-such-tag” in the schema"
    )
    assert peak < 300 * 1024
    assert sample.read_bytes() == before
