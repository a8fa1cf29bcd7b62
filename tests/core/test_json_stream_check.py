"""Issue 17: a large JSON v1 import is checked one document at a time before it is parsed
whole (io/formats/json/stream_check), by the same rules and with the same messages as the
whole validation: a valid file still imports (key order aside), a bad row or a syntax error
at the end is refused, and an id used in two documents is found (exactly: a hash met twice
alone refuses nothing). Run here with the threshold at 0 so every file takes that path."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from annotator.cli import main
from annotator.io.formats.json import stream_check
from annotator.io.formats.json.stream_check import _confirm_twice, _HashedIds


def run(capsys, *args: object) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "internal error" not in captured.err
    return code, captured.out, captured.err.strip()


@pytest.fixture
def streaming(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every JSON import takes the streaming check; the files it checked are listed."""
    checked: list[Path] = []
    real = stream_check.check_streaming
    monkeypatch.setattr(stream_check, "STREAM_CHECK_BYTES", 0)

    def spy(path: Path, context) -> None:
        checked.append(Path(path))
        real(path, context)

    monkeypatch.setattr(stream_check, "check_streaming", spy)
    return checked


@pytest.fixture
def export(tmp_path: Path, capsys) -> dict:
    """The sample project's export, parsed, and a fresh empty project to import it into."""
    sample = tmp_path / "sample.annotator"
    assert run(capsys, "new", sample, "--sample")[0] == 0
    assert run(capsys, "export", sample, "--format", "json", "-o", tmp_path / "s.json")[0] == 0
    assert run(capsys, "new", tmp_path / "p.annotator")[0] == 0
    return orjson.loads((tmp_path / "s.json").read_bytes())


def import_data(tmp_path: Path, capsys, data: dict | bytes, **dumps) -> tuple[int, str]:
    path = tmp_path / "big.json"
    path.write_bytes(data if isinstance(data, bytes) else orjson.dumps(data, **dumps))
    project = tmp_path / "p.annotator"
    before = project.read_bytes()
    code, _, err = run(capsys, "import", project, path)
    if code != 0:
        assert project.read_bytes() == before
        assert len(err.splitlines()) == 1
    return code, err


def test_a_valid_export_imports_in_any_key_order(tmp_path, capsys, streaming, export) -> None:
    code, err = import_data(tmp_path, capsys, export, option=orjson.OPT_SORT_KEYS)
    assert code == 0, err
    assert streaming == [tmp_path / "big.json"]
    assert run(capsys, "check", tmp_path / "p.annotator")[0] == 0


def test_a_bad_last_span_is_refused_with_the_whole_validations_words(
    tmp_path, capsys, export
) -> None:
    export["documents"][-1]["spans"][-1]["tag"] = "no-such-tag"
    whole = import_data(tmp_path, capsys, export)  # small: parsed whole
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(stream_check, "STREAM_CHECK_BYTES", 0)
        patch.setattr(stream_check, "check_streaming", refuse_streaming(streamed := []))
        assert import_data(tmp_path, capsys, export) == whole
    assert streamed == [("refused", whole[1].split("big.json: ", 1)[1])]
    assert whole[0] == 1
    assert "].spans[" in whole[1] and "no tag type “no-such-tag” in the schema" in whole[1]


def refuse_streaming(log: list):
    """check_streaming, noting what it refused."""
    real = stream_check.check_streaming

    def spy(path: Path, context) -> None:
        try:
            real(path, context)
        except Exception as error:
            log.append(("refused", str(error)))
            raise

    return spy


def test_a_bad_head_is_refused(tmp_path, capsys, streaming, export) -> None:
    export["annotators"][0]["id"] = "not-a-uuid"
    code, err = import_data(tmp_path, capsys, export)
    assert code == 1 and "$.annotators[0].id: expected a lower-case UUID" in err


def test_a_file_cut_short_is_refused_as_not_json(tmp_path, capsys, streaming, export) -> None:
    data = orjson.dumps(export)
    code, err = import_data(tmp_path, capsys, data[: len(data) - 40])
    assert code == 1
    assert err.startswith("annotator import: big.json: $: not valid JSON (")
    assert streaming  # refused by the streaming check, not the whole parse


def test_an_id_in_two_documents_is_refused(tmp_path, capsys, streaming, export) -> None:
    second = orjson.loads(orjson.dumps(export["documents"][0]))
    second["text"] += " More."
    second["sha256"] = __import__("hashlib").sha256(second["text"].encode()).hexdigest()
    second["id"] = "0b5e5f8e-0000-4000-8000-000000000001"
    for span in second["spans"]:
        span["prefix"] = span["prefix"]  # same offsets still hold: text only grew at the end
    second["links"] = []
    export["documents"].append(second)
    code, err = import_data(tmp_path, capsys, export)
    assert code == 1
    span = second["spans"][0]["id"]
    assert f"$.documents[1].spans[0].id: id {span} is used twice" in err


def test_a_hash_met_twice_alone_refuses_nothing(tmp_path) -> None:
    path = tmp_path / "f.json"
    ids = [f"0b5e5f8e-0000-4000-8000-00000000000{k}" for k in range(3)]
    path.write_bytes(orjson.dumps({"documents": [{"id": ids[0], "spans": [{"id": ids[1]}]}]}))
    hashed = _HashedIds()
    hashed.twice = {hash(ids[0]), hash(ids[1])}  # as if two other ids had shared their hashes
    with path.open("rb") as handle:
        _confirm_twice(handle, hashed, type("Head", (), {"annotators": []})())


def test_bytes_that_are_not_utf8_are_one_readable_line(tmp_path, capsys, streaming, export):
    data = orjson.dumps(export).replace(b'"title":"', b'"title":"\xff\xfe', 1)
    code, err = import_data(tmp_path, capsys, data)
    assert code == 1
    assert err == (
        "annotator import: big.json: $: not valid JSON (lexical error: invalid bytes in UTF8 "
        "string.)"
    )
