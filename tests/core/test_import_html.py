"""Saved web pages: main text without boilerplate, metadata, and no network access at all."""

from __future__ import annotations

import hashlib
import http.server
import threading
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from annotator.io.documents.html import import_html_string
from annotator.io.documents.registry import ImportRefused, importer_for, read_one


class _RecordingHandler(http.server.BaseHTTPRequestHandler):
    requests: ClassVar[list[str]] = []  # replaced per server by the fixture

    def do_GET(self) -> None:
        type(self).requests.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"<p>fetched</p>")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def local_server() -> Iterator[tuple[str, list[str]]]:
    """An HTTP server on 127.0.0.1 that records every request made to it."""
    requests: ClassVar[list[str]] = []  # replaced per server by the fixture
    handler = type("Handler", (_RecordingHandler,), {"requests": requests})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def article_page(base: str, *, charset: str = "utf-8", extra_head: str = "") -> str:
    return f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="{charset}">
<title>Russia and China deepen ties | New Eastern Outlook</title>
<meta property="og:title" content="Russia and China deepen ties">
<meta property="og:site_name" content="New Eastern Outlook">
<meta name="author" content="Dmitry Bokarev">
<meta property="article:published_time" content="2019-08-03T10:00:00+00:00">
<link rel="canonical" href="https://journal-neo.example/2019/08/03/russia-china/">
<link rel="stylesheet" href="{base}/style.css">
<script src="{base}/tracker.js"></script>
<script>fetch("{base}/inline-script");</script>
{extra_head}
</head><body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/about">About us</a></li>
<li><a href="/contact">Contact the editors</a></li></ul></nav>
<div class="advertisement">Buy now! Subscribe to our premium newsletter today.</div>
<article><h1>Russia and China deepen ties</h1>
<p>Markets 😀 rallied after the summit in Vladivostok, where both delegations signed
a long list of agreements on energy and transport.</p>
<p>For now the Russian Federation and the PRC are not members of a common military alliance.
Still, along with economic cooperation, there has been stronger military collaboration between
the two countries in recent years.</p>
<img src="{base}/photo.png"><iframe src="{base}/frame.html"></iframe>
<video src="{base}/clip.mp4" poster="{base}/poster.jpg"></video>
</article>
<aside class="recent-posts"><h3>Recent posts</h3><ul>
<li><a href="/p1">Another post title here</a></li><li><a href="/p2">Yet another post</a></li>
</ul></aside>
<footer>© 2019 New Eastern Outlook. All rights reserved. Privacy policy.</footer>
</body></html>"""


def test_article_text_without_boilerplate_and_its_metadata(tmp_path: Path, local_server) -> None:
    base, requests = local_server
    path = tmp_path / "page.html"
    path.write_text(article_page(base), encoding="utf-8")
    document = read_one(path)
    assert document.title == "Russia and China deepen ties"
    assert document.metadata == {
        "author": "Dmitry Bokarev",
        "outlet": "New Eastern Outlook",
        "url": "https://journal-neo.example/2019/08/03/russia-china/",
        "published": "2019-08-03",
        "language": "en",
    }
    text = document.text
    assert "Markets 😀 rallied after the summit" in text
    assert "stronger military collaboration" in text
    for boilerplate in ("About us", "Subscribe", "Recent posts", "Another post", "rights reserved"):
        assert boilerplate not in text
    assert "fetch(" not in text and "tracker" not in text
    # paragraphs are blank-line apart, lines end without blanks, the text is stored as is
    assert "\n\nFor now the Russian Federation" in text
    assert document.sha256 == hashlib.sha256(text.encode()).hexdigest()
    assert requests == [], "the importer reached the network"
    assert document.source_encoding == "utf-8"


def test_the_recording_server_does_record(local_server) -> None:
    """The zero-request assertions above mean something: a fetch would have been seen."""
    base, requests = local_server
    with urllib.request.urlopen(f"{base}/probe") as response:
        assert response.status == 200
    assert requests == ["/probe"]


def test_emoji_before_a_word_keeps_code_point_offsets(tmp_path: Path) -> None:
    document = import_html_string("<p>Markets 😀 rallied after the summit.</p>", "clipboard")
    assert document.text == "Markets 😀 rallied after the summit."
    start = document.text.index("rallied")
    assert start == 10  # "😀" is one code point (two UTF-16 units)
    assert document.text[start : start + 7] == "rallied"


def test_declared_legacy_charset_is_honoured(tmp_path: Path, local_server) -> None:
    base, requests = local_server
    page = article_page(base, charset="windows-1251").replace(
        "Markets 😀 rallied", "Рынки выросли, markets rallied"
    )
    path = tmp_path / "ru.htm"
    path.write_bytes(page.encode("cp1251", errors="ignore"))
    document = read_one(path)
    assert "Рынки выросли, markets rallied" in document.text
    assert document.source_encoding == "cp1251"
    assert requests == []


def test_short_fragment_falls_back_to_all_visible_text() -> None:
    document = import_html_string(
        "<div>Short note<br>with two lines</div><script>var x = 1;</script>", "clipboard"
    )
    assert "Short note" in document.text and "with two lines" in document.text
    assert "var x" not in document.text


def test_no_metadata_means_no_keys_and_no_invented_date() -> None:
    document = import_html_string("<html><body><p>Just one sentence here.</p></body></html>", "x")
    assert document.metadata == {}
    assert document.title == "Just one sentence here."


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary file"),
        (b"just some words, no markup at all", "not an HTML page"),
        (b"<html><head><title>x</title></head><body>  </body></html>", "no readable text"),
        (b"<html><body><script>document.write('hi')</script></body></html>", "no readable text"),
    ],
)
def test_bad_pages_are_refused_with_one_line(tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "bad.html"
    path.write_bytes(data)
    with pytest.raises(ImportRefused) as refused:
        read_one(path)
    message = str(refused.value)
    assert message.startswith("bad.html: ") and reason in message and "\n" not in message


def test_registry_picks_the_html_importer() -> None:
    for name in ("a.html", "b.HTM", "c.xhtml"):
        assert importer_for(name).name == "Web page"
