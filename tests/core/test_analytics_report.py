"""The HTML report: parses, references no remote resource, holds every claim of the filter
with its passages and sources; the CLI writes HTML and PDF."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.services.analytics.claims import claim_rows
from annotator.services.analytics.dataset import load_dataset
from annotator.services.analytics.filters import AnalyticsFilter
from annotator.services.project import Project
from tests.core.analytics_helpers import generate_project, sql

pytest.importorskip("networkx")
pytest.importorskip("matplotlib")


class Collector(HTMLParser):
    """Every tag, its attributes, the text of h3 headings and any CSS url()."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.headings: list[str] = []
        self.text: list[str] = []
        self._in_h3 = False

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_h3 = tag == "h3"
        if self._in_h3:
            self.headings.append("")

    def handle_endtag(self, tag) -> None:
        if tag == "h3":
            self._in_h3 = False

    def handle_data(self, data) -> None:
        self.text.append(data)
        if self._in_h3:
            self.headings[-1] += data


def _remote(parser: Collector, html: str) -> list[str]:
    found = []
    for tag, attrs in parser.tags:
        for name in ("src", "href", "xlink:href", "data", "poster", "srcset"):
            value = (attrs.get(name) or "").strip().lower()
            if value and not value.startswith(("#", "data:")) and tag != "a":
                found.append(f"<{tag} {name}={value}>")
    if "url(" in html.lower() and "url(#" not in html.lower():
        found.append("css url()")
    found += [f"<{t}>" for t, _ in parser.tags if t in ("script", "link", "iframe", "object")]
    return found


@pytest.mark.parametrize("outlet", ["", "global"])
def test_html_report_is_self_contained_and_complete(tmp_path: Path, outlet: str) -> None:
    path = tmp_path / "g.annotator"
    generate_project(path).close()
    out = tmp_path / "report.html"
    arguments = ["report", str(path), "--annotator", "ana", "-o", str(out)]
    assert main([*arguments, "--outlet", outlet] if outlet else arguments) == 0
    html = out.read_text(encoding="utf-8")
    parser = Collector()
    parser.feed(html)
    parser.close()
    assert not _remote(parser, html)
    assert sum(t == "svg" for t, _ in parser.tags) >= 3  # network, timeline, charts inline
    with Project.open(path, annotator_name="ana", read_only=True) as project:
        data = load_dataset(project, AnalyticsFilter(outlet=outlet))
    rows = claim_rows(data)
    claimed = [h.split(". ", 1)[1] for h in parser.headings if h[:1].isdigit()]
    assert sorted(claimed) == sorted(r.label for r in rows)
    expected = sql(
        path,
        "SELECT count(*) FROM spans s JOIN tag_types t ON t.id = s.tag_type_id AND t.key = "
        "'claim' JOIN documents d ON d.id = s.document_id JOIN annotators a "
        "ON a.id = s.annotator_id WHERE a.name = 'ana' AND d.outlet LIKE ?",
        f"%{outlet}%",
    )[0][0]
    assert sum(t == "blockquote" for t, _ in parser.tags) == expected
    text = "".join(parser.text)
    assert "annotated by ana" in text
    titles = sql(path, "SELECT title FROM documents WHERE outlet LIKE ?", f"%{outlet}%")
    assert any(f"“{t}”" in text for (t,) in titles)


def test_pdf_report_and_refusals(tmp_path: Path, capsys) -> None:
    path = tmp_path / "g.annotator"
    generate_project(path, documents=4).close()
    pdf = tmp_path / "report.pdf"
    assert main(["report", str(path), "--annotator", "ana", "-o", str(pdf)]) == 0
    assert pdf.read_bytes().startswith(b"%PDF")
    assert not Path(str(pdf) + ".part").exists()
    assert main(["report", str(path), "--annotator", "ana", "-o", str(tmp_path / "r.doc")]) == 1
    assert "cannot write a report as .doc" in capsys.readouterr().err
