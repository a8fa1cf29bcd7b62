"""Start-up cost of the command line (issue 11): `--help` and parser building import neither
Qt nor SQLAlchemy nor the project code, for every module in COMMAND_MODULES (other helpers'
commands included); `annotator info` reads without SQLAlchemy. Counted in fresh interpreters;
times are measured by tests/perf/bench_startup.py."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from annotator.cli import COMMAND_MODULES

ROOT = Path(__file__).resolve().parents[2]
_LOADED = """
import json, sys
{body}
print(json.dumps(sorted(sys.modules)))
"""


def loaded_after(body: str) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", _LOADED.format(body=body)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


HEAVY = ("PySide6", "shiboken6", "sqlalchemy", "orjson", "charset_normalizer", "spacy", "lxml")


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)


def test_building_the_parser_loads_only_the_cli() -> None:
    modules = loaded_after("import annotator.cli as c; c.build_parser()")
    assert heavy(modules) == []
    ours = {m for m in modules if m.startswith("annotator.")}
    allowed = {"annotator.cli", "annotator.cli.common", *COMMAND_MODULES}
    assert ours <= allowed, sorted(ours - allowed)


def test_building_the_parser_leaves_the_handlers_own_modules_unloaded() -> None:
    """getpass (and termios with it) is for `team add-member --password` alone."""
    modules = loaded_after("import annotator.cli as c; c.build_parser()")
    assert not {"getpass", "termios"} & modules


def test_help_prints_without_the_heavy_libraries() -> None:
    modules = loaded_after(
        "from annotator.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass"
    )
    assert heavy(modules) == []


def test_info_reads_without_sqlalchemy(tmp_path: Path) -> None:
    from annotator.services.sample import create_sample_project

    path = tmp_path / "s.annotator"
    create_sample_project(path, "Dana", by_sample=True).close()
    modules = loaded_after(
        f"from annotator.cli import main\nassert main(['info', {str(path)!r}]) == 0"
    )
    assert not [m for m in modules if m.split(".")[0] in ("sqlalchemy", "PySide6")]
    assert "annotator.store.checks" in modules  # the open checklist still runs


def test_info_reports_what_the_store_reads(tmp_path: Path, capsys) -> None:
    """The light read path gives the same counts as the full store."""
    from annotator.cli import main
    from annotator.services.project import Project
    from annotator.services.sample import create_sample_project

    path = tmp_path / "s.annotator"
    create_sample_project(path, "Dana", by_sample=True).close()
    assert main(["info", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    with Project.open(path, read_only=True) as project, project.store.read() as read:
        (document,) = read.documents()
        spans = read.spans(document.uuid)
        links = read.links(document.uuid)
        names = [a.name for a in read.annotators()]
    assert f"spans:      {len(spans)}" in out and f"links:      {len(links)}" in out
    for tag in {s.tag for s in spans}:
        assert f"  {tag}: {sum(s.tag == tag for s in spans)}" in out
    assert out[-1] == f"annotators: {', '.join(names)}"
