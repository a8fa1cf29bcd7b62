"""JSON and JSON-lines files saved with a UTF-8 byte order mark (as Windows editors do) import."""

from __future__ import annotations

import foreign_format_helpers as ff
import pytest

from annotator.io.formats import export_format

BOM = b"\xef\xbb\xbf"


@pytest.mark.parametrize("key", ["json", "doccano", "spacy-jsonl", "labelstudio", "w3c"])
def test_a_file_with_a_byte_order_mark_imports_like_one_without(tmp_path, key) -> None:
    project, _, _ = ff.rich(tmp_path)
    plain = tmp_path / f"plain{export_format(key).suffix}"
    ff.export(project, key, plain)
    project.close()
    marked = tmp_path / f"marked{export_format(key).suffix}"
    marked.write_bytes(BOM + plain.read_bytes())
    with ff.fresh(tmp_path / "plain.annotator") as a, ff.fresh(tmp_path / "marked.annotator") as b:
        ff.import_file(a, key, plain)
        ff.import_file(b, key, marked)
        assert ff.counts(b) == ff.counts(a) != (0, 0, 0)
