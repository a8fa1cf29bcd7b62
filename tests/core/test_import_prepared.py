"""The GUI's Import after its preview applies what the preview validated while the project is
unchanged (the file is validated once, not twice), and validates again when it has changed;
either way the project ends the same as a plain import."""

from __future__ import annotations

import foreign_format_helpers as ff
import pytest

from annotator.io.formats import import_format
from annotator.io.formats.json import validate
from annotator.services.import_exchange import ImportExchange, import_context, preview_prepared


@pytest.fixture
def counted(monkeypatch):
    calls = []
    real = validate.validate_exchange

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(validate, "validate_exchange", counting)
    return calls


def _exported(tmp_path):
    project, _, _ = ff.rich(tmp_path)
    out = tmp_path / "rich.jsonl"
    ff.export(project, "spacy-jsonl", out)
    project.close()
    return out


def test_an_unchanged_project_is_validated_once_and_ends_as_a_plain_import(tmp_path, counted):
    out = _exported(tmp_path)
    with ff.fresh(tmp_path / "plain.annotator") as plain:
        exchange = import_format("spacy-jsonl").read(out, import_context(plain), None)
        first = ImportExchange(exchange)
        plain.run(first)
        expected = ff.counts(plain), first.report.summary()
    counted.clear()
    with ff.fresh(tmp_path / "new.annotator") as new:
        exchange = import_format("spacy-jsonl").read(out, import_context(new), None)
        seen, prepared = preview_prepared(new, exchange)
        command = ImportExchange(exchange, prepared=prepared)
        new.run(command)
        assert len(counted) == 1  # the preview's validation, reused by the apply
        assert command.report.summary() == seen.summary()
        assert (ff.counts(new), command.report.summary()) == expected
        assert ff.counts(new)[1] > 0
        new.undo()  # undo and redo still work; a redo validates again (the project changed)
        assert ff.counts(new)[1] == 0
        new.redo()
        assert len(counted) == 2
        assert command.prepared is None


def test_a_project_changed_since_the_preview_is_validated_again(tmp_path, counted):
    out = _exported(tmp_path)
    with ff.fresh(tmp_path / "new.annotator") as new:
        exchange = import_format("spacy-jsonl").read(out, import_context(new), None)
        _, prepared = preview_prepared(new, exchange)
        new.run(ImportExchange(import_format("spacy-jsonl").read(out, import_context(new), None)))
        counted.clear()
        command = ImportExchange(exchange, prepared=prepared)
        new.run(command)  # the project holds the file's rows now: nothing left to add
        assert len(counted) == 1
        assert not command.report.changed
