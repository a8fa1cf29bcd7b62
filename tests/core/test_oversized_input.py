"""Issue 17 item 3: text over the size limit is a one-line refusal, never SQLite's "string or
blob too big"; in `annotator add` a refused file is its own line and the batch goes on."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

import orjson
import pytest
from import_builders import make_docx, make_pdf

from annotator.cli import main
from annotator.domain import content_rules
from annotator.io import bounded_zip
from annotator.io.formats.json import validate as json_validate


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


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss in KiB: Linux")
def test_a_200_mib_doccano_text_is_refused_at_full_size(tmp_path: Path, sample: Path) -> None:
    """The issue's case as it is (no lowered limit), in a child process whose peak memory
    stays under 300 MB: the line is measured before it is read, and refused unread."""
    source = tmp_path / "huge.jsonl"
    with source.open("w", encoding="utf-8") as out:
        out.write('{"text": "')
        chunk = "word " * (1 << 18)  # 1.25 MiB
        for _ in range(160):
            out.write(chunk)
        out.write('", "label": [[0, 4, "actor"]]}\n')
    before = sample.read_bytes()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, "import", str(sample), "--format", "doccano", str(source)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    source.unlink()
    line, peak = done.stderr.strip().splitlines()
    assert done.returncode == 1, done.stderr
    assert line == (
        "annotator import: huge.jsonl: line 1: over 116 MiB (the text limit for one document, "
        "100 MiB, and its labels)"
    )
    assert int(peak.removeprefix("maxrss=")) < 300 * 1024
    assert sample.read_bytes() == before


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="VmHWM: Linux")
@pytest.mark.parametrize("fmt", ["doccano", "spacy-jsonl"])
def test_a_bad_last_line_after_large_texts_is_refused_under_300_mb(
    tmp_path: Path, sample: Path, fmt: str
) -> None:
    """Five 64 MiB texts, then a line whose span is outside its text: the first pass reads a
    line, checks it and forgets it, so the refusal costs one text, not six (310 MB while the
    reader's generator still held the previous line's object during the next parse)."""
    key = "label" if fmt == "doccano" else "entities"
    source = tmp_path / "big.jsonl"
    text = "word " * (64 * 1024 * 1024 // 5)
    with source.open("w", encoding="utf-8") as out:
        for k in range(5):
            out.write(f'{{"text": "{k} {text}", "{key}": [[0, 4, "actor"]]}}\n')
        out.write(f'{{"text": "bad", "{key}": [[0, 40, "actor"]]}}\n')
    del text
    before = sample.read_bytes()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, "import", str(sample), "--format", fmt, str(source)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    source.unlink()
    line, peak = done.stderr.strip().splitlines()
    assert done.returncode == 1, done.stderr
    assert line.startswith("annotator import: big.jsonl: line 6: "), line
    assert int(peak.removeprefix("maxrss=")) < 300 * 1024
    assert sample.read_bytes() == before


def test_an_oversized_json_text_is_refused(
    tmp_path: Path, sample: Path, capsys, monkeypatch
) -> None:
    monkeypatch.setattr(content_rules, "MAX_TEXT_BYTES", 1024)
    run(capsys, "export", sample, "--format", "json", "-o", tmp_path / "p.json")
    data = orjson.loads((tmp_path / "p.json").read_bytes())
    text = "word " * 1000
    data["documents"][0] |= {
        "text": text,
        "sha256": hashlib.sha256(text.encode()).hexdigest(),
        "spans": [],
        "links": [],
    }
    (tmp_path / "big.json").write_bytes(orjson.dumps(data))
    before = sample.read_bytes()
    code, _, err = run(capsys, "import", sample, tmp_path / "big.json")
    assert code == 1 and len(err.splitlines()) == 1
    # refused while the file streams by (io/json_bounds), before it is parsed
    assert err == (
        "annotator import: big.json: line 1: a string over 1,024 bytes (the text limit for one "
        "document)"
    )
    assert sample.read_bytes() == before


def test_add_reports_each_refused_file_and_adds_the_rest(
    tmp_path: Path, sample: Path, capsys, monkeypatch
) -> None:
    monkeypatch.setattr(content_rules, "MAX_TEXT_BYTES", 2_000)
    monkeypatch.setattr(bounded_zip, "MAX_MEMBER_BYTES", 4 * 1024**2)
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "a.txt").write_text("First\nThe mayor spoke.\n", "utf-8")
    (folder / "b.html").write_text("<p>" + "word " * 1000 + "</p>", "utf-8")
    bomb = make_docx(folder / "c.docx", title="Bomb")
    with zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/media/zeros.bin", b"\0" * (8 * 1024**2))
    (folder / "d.txt").write_text("Last\nThe council met.\n", "utf-8")

    code, out, err = run(capsys, "add", sample, folder)

    assert code == 0, err
    lines = err.splitlines()
    assert any(line.startswith("skipped b.html: text is") for line in lines), lines
    assert (
        "skipped c.docx: word/media/zeros.bin unpacks to more than 4 MiB (the limit for one "
        "file in an archive)" in lines
    )
    assert "added 2 document(s) to p.annotator" in lines
    assert out == ""
    monkeypatch.undo()  # the open checklist applies the real limit (the sample is over 2,000)
    assert run(capsys, "check", sample)[0] == 0


def test_an_oversized_json_column_is_refused(
    tmp_path: Path, sample: Path, capsys, monkeypatch
) -> None:
    """Metadata and attributes are JSON columns: over the field limit they are refused by
    path, not passed on to SQLite ("string or blob too big" at 200 MiB)."""
    monkeypatch.setattr(json_validate, "MAX_FIELD_CHARS", 100)
    run(capsys, "export", sample, "--format", "json", "-o", tmp_path / "p.json")
    data = orjson.loads((tmp_path / "p.json").read_bytes())
    data["documents"][0]["metadata"]["extra"] = {"notes": "x" * 200}
    (tmp_path / "big.json").write_bytes(orjson.dumps(data))
    before = sample.read_bytes()
    code, _, err = run(capsys, "import", sample, tmp_path / "big.json")
    assert code == 1
    assert "$.documents[0].metadata.extra: is 212 bytes of JSON, over the limit of 100" in err
    assert sample.read_bytes() == before


def test_pdf_text_extraction_stops_at_the_limit(tmp_path: Path, sample: Path, capsys, monkeypatch):
    monkeypatch.setattr(content_rules, "MAX_TEXT_BYTES", 30)
    pdf = make_pdf(tmp_path / "long.pdf", ["Page one has some words.", "Page two has more words."])
    code, _, err = run(capsys, "add", sample, pdf)
    assert code == 1
    assert err == (
        "annotator add: nothing added: long.pdf: text passes the 30 bytes limit for one "
        "document at page 1"
    )


@pytest.mark.parametrize("fmt", ["doccano", "spacy-jsonl"])
def test_a_large_jsonl_file_is_checked_line_by_line_first(
    tmp_path: Path, sample: Path, capsys, monkeypatch, fmt: str
) -> None:
    """Over stream_check.STREAM_CHECK_BYTES (0 here) every line is read and forgotten first,
    so a bad last line is refused before the texts before it are held: same words, nothing
    written; a good file still imports."""
    from annotator.io.formats.builder import ExchangeBuilder
    from annotator.io.formats.json import stream_check

    forgotten: list[int] = []
    real = ExchangeBuilder.forget_texts
    monkeypatch.setattr(stream_check, "STREAM_CHECK_BYTES", 0)
    monkeypatch.setattr(
        ExchangeBuilder, "forget_texts", lambda self: forgotten.append(1) or real(self)
    )
    line = (
        '{"text": "The mayor spoke %d.", "label": [[4, 9, "actor"]]}'
        if fmt == "doccano"
        else '{"text": "The mayor spoke %d.", "entities": [[4, 9, "actor"]]}'
    )
    source = tmp_path / "lines.jsonl"
    source.write_text("\n".join(line % k for k in range(3)) + "\n")
    assert run(capsys, "import", sample, "--format", fmt, source)[0] == 0
    assert len(forgotten) == 3
    bad = line.replace("[4, 9", '[4, "x"')  # an offset that is not a number
    source.write_text("\n".join(line % k for k in range(3, 6)) + "\n" + bad % 6 + "\n")
    before = sample.read_bytes()
    code, _, err = run(capsys, "import", sample, "--format", fmt, source)
    assert code == 1 and err.startswith("annotator import: lines.jsonl: line 4: ")
    assert len(err.splitlines()) == 1
    assert len(forgotten) == 6  # refused by the first pass, at its fourth line
    assert sample.read_bytes() == before


def test_a_large_label_studio_file_is_checked_task_by_task_first(
    tmp_path: Path, sample: Path, capsys, monkeypatch
) -> None:
    """Over STREAM_CHECK_BYTES (0 here) each task is read (ijson) and forgotten first: a bad
    last task is refused with the whole parse's words, nothing written; a good file imports."""
    from annotator.io.formats.builder import ExchangeBuilder
    from annotator.io.formats.json import stream_check

    forgotten: list[int] = []
    real = ExchangeBuilder.forget_texts
    monkeypatch.setattr(stream_check, "STREAM_CHECK_BYTES", 0)
    monkeypatch.setattr(
        ExchangeBuilder, "forget_texts", lambda self: forgotten.append(1) or real(self)
    )

    def task(k: int, end: int) -> dict:
        value = {"start": 4, "end": end, "labels": ["actor"]}
        result = {"value": value, "from_name": "label", "to_name": "text", "type": "labels"}
        return {
            "id": k,
            "data": {"text": f"The mayor spoke {k}."},
            "annotations": [{"result": [result]}],
        }

    source = tmp_path / "tasks.json"
    source.write_bytes(orjson.dumps([task(k, 9) for k in range(3)]))
    assert run(capsys, "import", sample, "--format", "labelstudio", source)[0] == 0
    assert len(forgotten) == 3
    source.write_bytes(orjson.dumps([task(k, 9) for k in range(3, 5)] + [task(5, 999)]))
    before = sample.read_bytes()
    code, _, err = run(capsys, "import", sample, "--format", "labelstudio", source)
    assert code == 1 and err.startswith("annotator import: tasks.json: $[2].annotations[0]")
    assert len(err.splitlines()) == 1 and len(forgotten) == 5
    assert sample.read_bytes() == before
    source.write_bytes(orjson.dumps([task(k, 9) for k in range(3)])[:-30])
    code, _, err = run(capsys, "import", sample, "--format", "labelstudio", source)
    assert code == 1 and err.startswith("annotator import: tasks.json: $: not valid JSON (")
    assert sample.read_bytes() == before
