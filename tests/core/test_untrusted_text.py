"""Issue 17 items 1 and 5: a NUL (or other control) character in imported text, and a wrongly
typed schema field, are clean one-line refusals; the project keeps its bytes and still opens."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import orjson
import pytest

from annotator.cli import main
from annotator.domain.field_rules import MAX_FIELD_CHARS
from annotator.services.project import Project

TEXT = "ab\u0000cd The mayor spoke."


def run(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str]:
    code = main([str(a) for a in args])
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" not in err, err
    return code, err.strip()


@pytest.fixture
def sample(tmp_path: Path, capsys) -> Path:
    path = tmp_path / "p.annotator"
    assert run(capsys, "new", path, "--sample")[0] == 0
    return path


def assert_refused_unchanged(capsys, project: Path, *args: object) -> str:
    before = project.read_bytes()
    code, err = run(capsys, *args)
    assert code == 1, err
    assert len(err.splitlines()) == 1, err
    assert project.read_bytes() == before
    assert run(capsys, "check", project)[0] == 0
    return err


def _brat_folder(folder: Path, text: str) -> Path:
    folder.mkdir()
    (folder / "doc.txt").write_text(text, "utf-8")
    (folder / "doc.ann").write_text("T1\tactor 10 15\tmayor\n", "utf-8")
    return folder


def _json_file(tmp_path: Path, capsys, text: str) -> Path:
    """A valid JSON v1 export of another project, its document's text then changed."""
    other = tmp_path / "other.annotator"
    run(capsys, "new", other)
    (tmp_path / "clean.txt").write_text("The mayor spoke.\n", "utf-8")
    run(capsys, "add", other, tmp_path / "clean.txt")
    out = tmp_path / "other.json"
    run(capsys, "export", other, "--format", "json", "-o", out)
    data = orjson.loads(out.read_bytes())
    data["documents"][0]["text"] = text
    data["documents"][0]["sha256"] = hashlib.sha256(
        text.encode("utf-8", "surrogatepass")
    ).hexdigest()
    out.write_bytes(orjson.dumps(data))
    return out


FOREIGN = {
    "doccano": lambda t: json.dumps({"text": t, "label": [[10, 15, "actor"]]}) + "\n",
    "spacy-jsonl": lambda t: json.dumps({"text": t, "entities": [[10, 15, "actor"]]}) + "\n",
    "labelstudio": lambda t: json.dumps(
        [
            {
                "data": {"text": t},
                "annotations": [
                    {
                        "result": [
                            {
                                "id": "r1",
                                "from_name": "label",
                                "to_name": "text",
                                "type": "labels",
                                "value": {"start": 10, "end": 15, "labels": ["actor"]},
                            }
                        ]
                    }
                ],
            }
        ]
    ),
}


@pytest.mark.parametrize("fmt", sorted(FOREIGN))
@pytest.mark.parametrize("char", ["\u0000", "\u0007", "\u000b", "\ud800"])
def test_foreign_text_with_a_control_character_is_refused(
    capsys, tmp_path: Path, sample: Path, fmt: str, char: str
) -> None:
    source = tmp_path / "in.json"
    source.write_text(FOREIGN[fmt](TEXT.replace("\u0000", char)), "utf-8")
    err = assert_refused_unchanged(capsys, sample, "import", sample, "--format", fmt, source)
    assert "in.json" in err
    if char != "\ud800":  # orjson refuses a lone surrogate already (not valid JSON)
        assert f"U+{ord(char):04X}" in err and "position 2" in err


def test_the_issue_reproduction_with_doccano(capsys, tmp_path: Path, sample: Path) -> None:
    source = tmp_path / "nul.jsonl"
    source.write_text(
        '{"text": "ab\\u0000cd The mayor spoke.", "label": [[10, 15, "actor"]]}\n', "utf-8"
    )
    err = assert_refused_unchanged(capsys, sample, "import", sample, "--format", "doccano", source)
    assert err.endswith("nul.jsonl: line 1: the text contains U+0000 (NUL) at position 2")
    assert run(capsys, "info", sample)[0] == 0


def test_brat_text_with_nul_is_refused(capsys, tmp_path: Path, sample: Path) -> None:
    folder = _brat_folder(tmp_path / "brat", TEXT)
    err = assert_refused_unchanged(capsys, sample, "import", sample, "--format", "brat", folder)
    assert "doc.txt" in err and "U+0000 (NUL) at position 2" in err


def test_json_text_with_nul_is_refused(capsys, tmp_path: Path, sample: Path) -> None:
    source = _json_file(tmp_path, capsys, "The\u0000mayor spoke.\n")
    err = assert_refused_unchanged(capsys, sample, "import", sample, source)
    assert "$.documents[0].text: text contains U+0000 (NUL) at position 3" in err


def test_document_without_spans_with_nul_is_refused(capsys, tmp_path: Path, sample) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"text": "a\u0000b", "label": []}) + "\n", "utf-8")
    assert_refused_unchanged(capsys, sample, "import", sample, "--format", "doccano", source)


def test_plain_text_controls_are_cleaned_on_add(capsys, tmp_path: Path, sample: Path) -> None:
    """A stray form feed or vertical tab in a .txt file is layout noise: removed, and the
    document opens and checks."""
    source = tmp_path / "memo.txt"
    source.write_bytes(b"Page one.\x0cPage two.\x0bEnd.\n")
    assert run(capsys, "add", sample, source)[0] == 0
    assert run(capsys, "check", sample)[0] == 0
    project = Project.open(sample, read_only=True)
    try:
        with project.store.read() as session:
            texts = [session.document(d.uuid).text for d in session.documents()]
    finally:
        project.close()
    assert "Page one.Page two.End.\n" in texts


# -- item 5: wrongly typed schema fields --------------------------------------------------------


def _schema_file(tmp_path: Path, capsys, sample: Path, change) -> Path:
    out = tmp_path / "schema.json"
    run(capsys, "schema", "export", sample, out)
    data = orjson.loads(out.read_bytes())
    change(data)
    out.write_bytes(orjson.dumps(data))
    return out


WRONG_TYPES = {
    "list id": lambda d: d["tag_types"][0].__setitem__("id", ["x"]),
    "list key": lambda d: d["tag_types"][0].__setitem__("key", ["x"]),
    "dict label": lambda d: d["tag_types"][0].__setitem__("label", {"a": 1}),
    "list endpoint": lambda d: d["link_types"][0].__setitem__("sources", [["a"]]),
    "bad attribute": lambda d: d["tag_types"][1].__setitem__(
        "attributes", [{"id": [1], "key": {}, "type": [], "choices": [[1]], "default": [1]}]
    ),
    "huge label": lambda d: d["tag_types"][0].__setitem__("label", "x" * (MAX_FIELD_CHARS + 1)),
    "bogus kind": lambda d: d["tag_types"][0].__setitem__("kind", "bogus"),
    "list kind": lambda d: d["tag_types"][0].__setitem__("kind", ["actor"]),
}


@pytest.mark.parametrize("case", sorted(WRONG_TYPES))
def test_schema_import_refuses_wrong_types(capsys, tmp_path: Path, sample: Path, case) -> None:
    schema = _schema_file(tmp_path, capsys, sample, WRONG_TYPES[case])
    err = assert_refused_unchanged(capsys, sample, "schema", "import", sample, schema)
    assert "$.tag_types" in err or "$.link_types" in err


@pytest.mark.parametrize("case", sorted(WRONG_TYPES))
def test_new_with_schema_refuses_wrong_types(capsys, tmp_path: Path, sample: Path, case) -> None:
    schema = _schema_file(tmp_path, capsys, sample, WRONG_TYPES[case])
    code, err = run(capsys, "new", tmp_path / "n.annotator", "--schema", schema)
    assert code == 1 and len(err.splitlines()) == 1
    assert not (tmp_path / "n.annotator").exists()


@pytest.mark.parametrize("case", sorted(WRONG_TYPES))
def test_json_import_refuses_wrong_schema_types(capsys, tmp_path: Path, sample: Path, case) -> None:
    source = _json_file(tmp_path, capsys, "The mayor spoke.\n")
    data = orjson.loads(source.read_bytes())
    run(capsys, "schema", "export", sample, tmp_path / "s.json")
    data["schema"] = orjson.loads((tmp_path / "s.json").read_bytes())
    del data["schema"]["format"], data["schema"]["version"]
    WRONG_TYPES[case](data["schema"])
    source.write_bytes(orjson.dumps(data))
    err = assert_refused_unchanged(capsys, sample, "import", sample, source)
    assert "$.schema." in err
