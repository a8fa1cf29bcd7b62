"""The report as PDF: the report's HTML (with PNG charts) laid out by QTextDocument and printed
with QPdfWriter (A4, 300 dpi); works headless with the offscreen platform."""

from __future__ import annotations

import os
from pathlib import Path

from annotator.errors import ValidationError


def write_report(project, data, path: Path) -> Path:
    """report.html (self-contained) or report.pdf, by the suffix of `path`."""
    from annotator.services.analytics.report import build_report, write_html

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".html", ".htm"):
        return write_html(project, data, path)
    if suffix != ".pdf":
        raise ValidationError(f"cannot write a report as {suffix or 'a file without suffix'}")
    html, images = build_report(project, data, "png")
    write_pdf(html, images, path)
    return path


def write_pdf(html: str, images: dict[str, bytes], path: Path) -> None:
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # the CLI on a server
    from PySide6.QtCore import QMarginsF, QUrl
    from PySide6.QtGui import (
        QImage,
        QPageLayout,
        QPageSize,
        QPdfWriter,
        QTextDocument,
    )
    from PySide6.QtWidgets import QApplication

    # A QApplication (not only a QGuiApplication): a process may show widgets afterwards.
    app = QApplication.instance() or QApplication([])  # noqa: F841 (kept alive)
    document = QTextDocument()
    for name, png in images.items():
        document.addResource(
            QTextDocument.ResourceType.ImageResource, QUrl(name), QImage.fromData(png)
        )
    document.setHtml(html)
    temporary = Path(str(path) + ".part")
    writer = QPdfWriter(str(temporary))
    writer.setResolution(300)
    writer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Portrait,
            QMarginsF(15, 15, 15, 15),
        )
    )
    writer.setTitle("Annotator report")
    document.print_(writer)
    del writer  # closes the file
    if not temporary.exists() or temporary.stat().st_size == 0:
        raise OSError(f"could not write {path}")
    temporary.replace(path)
