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
    _confirm_twice(path, hashed, type("Head", (), {"annotators": []})(), set())


def test_bytes_that_are_not_utf8_are_one_readable_line(tmp_path, capsys, streaming, export):
    data = orjson.dumps(export).replace(b'"title":"', b'"title":"\xff\xfe', 1)
    code, err = import_data(tmp_path, capsys, data)
    assert code == 1
    assert err == (
        "annotator import: big.json: $: not valid JSON (lexical error: invalid bytes in UTF8 "
        "string.)"
    )


def _entity(export: dict, uuid: str) -> dict:
    stamp = export["documents"][0]["created"]
    return {"id": uuid, "name": "Mayor", "kind": "person", "aliases": [], "external_ids": {},
            "note": "", "created": stamp, "modified": stamp}  # fmt: skip


def _dangling_entity(export: dict) -> None:
    export["documents"][-1]["spans"][-1]["entity"] = "0b5e5f8e-0000-4000-8000-00000000e000"


def _bad_entity_row(export: dict) -> None:
    export["entities"] = [_entity(export, "0b5e5f8e-0000-4000-8000-00000000e001"), {"id": 1}]


def _bad_tombstone(export: dict) -> None:
    export["tombstones"] = [{"id": "0b5e5f8e-0000-4000-8000-00000000e002", "kind": "bogus"}]


def _bad_history_row(export: dict) -> None:
    export["history"][-1]["kind"] = "bogus"


def _history_id_twice(export: dict) -> None:
    export["history"].append(dict(export["history"][0]))


def _entity_takes_a_document_id(export: dict) -> None:
    export["entities"] = [_entity(export, export["documents"][-1]["id"])]


def _entity_id_twice(export: dict) -> None:
    uuid = "0b5e5f8e-0000-4000-8000-00000000e003"
    export["entities"] = [_entity(export, uuid), _entity(export, uuid)]


def _bad_span_after_a_dangling_reference(export: dict) -> None:
    _dangling_entity(export)
    export["documents"][-1]["spans"][-1]["tag"] = "no-such-tag"


AFTER_THE_DOCUMENTS = [
    _dangling_entity,
    _bad_entity_row,
    _bad_tombstone,
    _bad_history_row,
    _history_id_twice,
    _entity_takes_a_document_id,
    _entity_id_twice,
    _bad_span_after_a_dangling_reference,
]


@pytest.mark.parametrize("change", AFTER_THE_DOCUMENTS, ids=lambda f: f.__name__.strip("_"))
def test_what_only_the_whole_file_shows_is_refused_by_the_first_pass(
    tmp_path, capsys, export, change
) -> None:
    """Entity references, the rows after the documents and ids used twice across them are
    decided by the first pass too, with the whole validation's first line."""
    change(export)
    whole = import_data(tmp_path, capsys, export)  # small: parsed whole
    assert whole[0] == 1
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(stream_check, "STREAM_CHECK_BYTES", 0)
        patch.setattr(stream_check, "check_streaming", refuse_streaming(streamed := []))
        assert import_data(tmp_path, capsys, export) == whole
    assert streamed == [("refused", whole[1].split("big.json: ", 1)[1])]


def test_an_entity_of_the_file_is_a_good_reference(tmp_path, capsys, streaming, export) -> None:
    uuid = "0b5e5f8e-0000-4000-8000-00000000e004"
    export["entities"] = [_entity(export, uuid)]
    export["documents"][-1]["spans"][-1]["entity"] = uuid
    code, err = import_data(tmp_path, capsys, export)
    assert code == 0, err


@pytest.mark.parametrize("long", [False, True], ids=["short", "long"])
@pytest.mark.parametrize(
    ("half", "words"), [("ud800", "no low"), ("udc00", "invalid high")], ids=["high", "low"]
)
def test_a_lone_surrogate_is_refused_by_the_first_pass(
    tmp_path, capsys, export, monkeypatch, long, half, words
) -> None:
    """ijson would read a lone high half as "?" and fail on a lone low half with an internal
    UnicodeDecodeError: the first pass finds either in the bytes and words it as the whole
    parse does (line, column, character), in a long string too."""
    from annotator.io.formats.json import long_strings

    if long:
        monkeypatch.setattr(long_strings, "CHUNK", 16)
        monkeypatch.setattr(long_strings, "LONG", 16)
    data = orjson.dumps(export, option=orjson.OPT_INDENT_2)
    data = data.replace(b'"text": "', b'"text": "caf\xc3\xa9 \\%s ' % half.encode(), 1)
    whole = import_data(tmp_path, capsys, data)
    assert whole[0] == 1 and f"{words} surrogate in string: line " in whole[1], whole
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(stream_check, "STREAM_CHECK_BYTES", 0)
        patch.setattr(stream_check, "check_streaming", refuse_streaming(streamed := []))
        assert import_data(tmp_path, capsys, data) == whole
    assert streamed == [("refused", whole[1].split("big.json: ", 1)[1])]
