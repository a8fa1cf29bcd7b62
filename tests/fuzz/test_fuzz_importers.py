"""Structure-aware fuzzers of every importer: a valid export of a rich project in each format,
mutated by hypothesis (hostile values, NUL and control characters, deleted, duplicated and
shifted nodes), imported into a project. Each import succeeds and leaves the project passing
`check`, or is refused in one line with the project byte-identical; never another error."""

from __future__ import annotations

import copy
import io
import json
import re
import shutil
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from fuzz_helpers import FUZZ, assert_clean_outcome, hostile_text, json_mutations, mutate_json
from hypothesis import given
from hypothesis import strategies as st
from json_helpers import build_rich_project

from annotator.io.formats import ExportOptions, export_format, import_format
from annotator.services.exchange_files import ProjectSnapshot, import_file
from annotator.services.project import Project


class Seeds(dict):
    """The seed files by format (shown by name only when hypothesis reports a failure)."""

    def __repr__(self) -> str:
        return f"Seeds({sorted(self)})"


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> Seeds:
    """Each import format's file, exported from one rich project."""
    folder = tmp_path_factory.mktemp("seeds")
    project, _ = build_rich_project(folder / "rich.annotator")
    found = Seeds()
    for key in ("json", "doccano", "labelstudio", "spacy-jsonl", "w3c", "xmi", "refiqda", "brat"):
        fmt = export_format(key)
        out = folder / f"{key}{fmt.suffix}"
        fmt.write(ProjectSnapshot(project), out, ExportOptions())
        found[key] = out.read_bytes()
    project.close()
    return found


@pytest.fixture
def target(tmp_path: Path) -> Path:
    """The project every example of one fuzzer imports into (its state carries over)."""
    path = tmp_path / "target.annotator"
    Project.create(path, name="Target", annotator_name="Fuzzer").close()
    return path


def _import(target: Path, key: str, source: Path) -> str | None:
    fmt = import_format(key)
    return assert_clean_outcome(target, lambda project: import_file(project, fmt.key, source))


# -- JSON and JSON lines ---------------------------------------------------------------------

JSON_FORMATS = {"json": ".json", "labelstudio": ".json", "w3c": ".jsonld"}
LINE_FORMATS = {"doccano": ".jsonl", "spacy-jsonl": ".jsonl"}


@pytest.mark.parametrize("key", sorted(JSON_FORMATS))
@FUZZ
@given(data=st.data())
def test_fuzz_json_formats(seeds, target, tmp_path_factory, key: str, data) -> None:
    parsed = json.loads(seeds[key])
    mutated = mutate_json(parsed, data.draw(json_mutations()))
    source = tmp_path_factory.mktemp("in") / f"in{JSON_FORMATS[key]}"
    source.write_text(json.dumps(mutated, ensure_ascii=data.draw(st.booleans())), "utf-8",
                      errors="surrogatepass")  # fmt: skip
    _import(target, key, source)


@pytest.mark.parametrize("key", sorted(LINE_FORMATS))
@FUZZ
@given(data=st.data())
def test_fuzz_json_lines_formats(seeds, target, tmp_path_factory, key: str, data) -> None:
    lines = [json.loads(line) for line in seeds[key].decode("utf-8").splitlines() if line]
    mutated = mutate_json(lines, data.draw(json_mutations()))
    source = tmp_path_factory.mktemp("in") / f"in{LINE_FORMATS[key]}"
    rows = mutated if isinstance(mutated, list) else [mutated]
    source.write_text("\n".join(json.dumps(row) for row in rows) + "\n", "utf-8")
    _import(target, key, source)


# -- XML in zips (XMI, REFI-QDA) -------------------------------------------------------------


@st.composite
def xml_mutations(draw: st.DrawFn) -> list[tuple]:
    kinds = st.sampled_from(("attribute", "number", "drop", "copy", "text"))
    return draw(
        st.lists(st.tuples(st.integers(0, 10**6), kinds, hostile_text), min_size=1, max_size=4)
    )


def mutate_xml(data: bytes, mutations: list[tuple]) -> bytes:
    root = ElementTree.fromstring(data)
    for index, kind, value in mutations:
        parents = {child: parent for parent in root.iter() for child in parent}
        elements = list(root.iter())
        element = elements[index % len(elements)]
        names = sorted(element.attrib)
        if kind in ("attribute", "number") and names:
            name = names[index % len(names)]
            old = element.get(name, "")
            shifted = re.sub(r"\d+", lambda m: str(int(m.group()) * 7 + 10**6), old)
            element.set(name, shifted if kind == "number" else old[:2] + value)
        elif kind == "drop" and element in parents:
            parents[element].remove(element)
        elif kind == "copy" and element in parents:
            parents[element].append(copy.deepcopy(element))
        elif kind == "text":
            element.text = (element.text or "") + value
    return ElementTree.tostring(root)


def rezip(seed: bytes, suffix: str, change) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(seed)) as source, zipfile.ZipFile(out, "w") as archive:
        for name in source.namelist():
            data = source.read(name)
            archive.writestr(name, change(name, data) if name.endswith(suffix) else data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("key", "member", "suffix"), [("xmi", ".xmi", ".zip"), ("refiqda", ".qde", ".qdpx")]
)
@FUZZ
@given(data=st.data())
def test_fuzz_xml_formats(seeds, target, tmp_path_factory, key, member, suffix, data) -> None:
    mutations = data.draw(xml_mutations())
    source = tmp_path_factory.mktemp("in") / f"in{suffix}"
    source.write_bytes(rezip(seeds[key], member, lambda _n, raw: mutate_xml(raw, mutations)))
    _import(target, key, source)


# -- brat standoff -----------------------------------------------------------------------------

brat_field = st.one_of(
    hostile_text, st.sampled_from(["T1", "T99", "R1", "Arg1:T1", "0", "-5", "99999", "actor", ";"])
)


@st.composite
def brat_mutations(draw: st.DrawFn) -> list[tuple]:
    kinds = st.sampled_from(("field", "drop", "copy", "junk", "text"))
    return draw(st.lists(st.tuples(st.integers(0, 10**6), kinds, brat_field), max_size=4))


def mutate_brat(name: str, data: bytes, mutations: list[tuple]) -> bytes:
    text = data.decode("utf-8")
    if name.endswith(".txt"):
        for index, kind, value in mutations:
            if kind == "text":
                at = index % (len(text) + 1)
                text = text[:at] + value + text[at:]
        return text.encode("utf-8")
    lines = text.splitlines()
    for index, kind, value in mutations:
        at = index % (len(lines) or 1)
        if kind == "field" and lines:
            fields = re.split(r"([\t ])", lines[at])
            fields[(index // 7 % len(fields)) & ~1] = value
            lines[at] = "".join(fields)
        elif kind == "drop" and lines:
            del lines[at]
        elif kind == "copy" and lines:
            lines.insert(at, lines[at])
        elif kind == "junk":
            lines.insert(at, value)
    return ("\n".join(lines) + "\n").encode("utf-8")


@FUZZ
@given(data=st.data())
def test_fuzz_brat(seeds, target, tmp_path_factory, data) -> None:
    mutations = data.draw(brat_mutations())
    as_zip = data.draw(st.booleans())
    folder = tmp_path_factory.mktemp("in")
    source = folder / "in.zip"
    changed = rezip(seeds["brat"], "", lambda name, raw: mutate_brat(name, raw, mutations))
    source.write_bytes(changed)
    if not as_zip:  # the same collection as a folder
        with zipfile.ZipFile(source) as archive:
            archive.extractall(folder / "collection")
        source.unlink()
        source = folder / "collection"
    _import(target, "brat", source)
    shutil.rmtree(folder)
