"""io/formats/json/long_strings: what ijson builds through the filter, long strings put back, is
what orjson parses from the whole file, wherever the reads cut it; lone surrogate escapes are
refused with orjson's own words and position."""

from __future__ import annotations

import io
import json

import ijson
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.io.formats.json import long_strings
from annotator.io.formats.json.long_strings import LongStrings, NotValidJson, _safe_cut

TEXT = st.text(alphabet='ab"\\\n\té€😀\u2028 {}[]:,', max_size=60)
DOCUMENT = st.fixed_dictionaries(
    {"id": st.integers(-1000, 1000), "text": TEXT, "rest": st.lists(TEXT)}
)


def through_filter(data: bytes, prefix: str, keep: bool = True) -> list:
    handle = io.BytesIO(data)
    strings = LongStrings(handle, keep=keep)
    return [strings.restore(item) for item in ijson.items(strings, prefix, use_float=True)]


@settings(max_examples=150, deadline=None)
@given(st.lists(DOCUMENT, max_size=6), st.booleans(), st.integers(3, 40), st.integers(12, 40))
def test_the_filter_gives_back_what_orjson_parses(documents, ascii_only, chunk, long) -> None:
    """(Strings of at least 12 bytes are taken out: the keys of the prefix are shorter.)"""
    data = json.dumps({"head": "h", "documents": documents}, ensure_ascii=ascii_only).encode()
    patch = pytest.MonkeyPatch()
    patch.setattr(long_strings, "CHUNK", chunk)
    patch.setattr(long_strings, "LONG", long)
    try:
        assert through_filter(data, "documents.item") == orjson.loads(data)["documents"]
    finally:
        patch.undo()


@given(st.text(alphabet='a\\"é😀', max_size=30))
def test_a_string_is_cut_only_where_both_sides_decode(text) -> None:
    inside = json.dumps(text)[1:-1].encode()
    for end in range(len(inside) + 1):
        raw = inside[:end]
        cut = _safe_cut(raw)
        # each side decodes alone (orjson refuses a lone surrogate half or a cut character)
        left, right = (orjson.loads(b'"' + part + b'"') for part in (raw[:cut], inside[cut:]))
        assert left + right == text


@pytest.mark.parametrize(
    "body",
    [
        rb'{"a": "x\ud800y"}',
        rb'{"a": "x\udc00"}',
        rb'{"a":' + b"\n" + rb' "x\ud800\u0041"}',
        rb'{"a": "\xc3\xa9\ud800\\"}'.replace(rb"\xc3\xa9", "é".encode()),
        rb'["\udbff\udfff", "x\udfff"]',
        rb'{"a": "x\ud800"}',
    ],
)
@pytest.mark.parametrize("chunk", [2, 5, 1 << 20])
def test_lone_surrogates_are_refused_in_orjsons_words(body: bytes, chunk: int) -> None:
    with pytest.raises(orjson.JSONDecodeError) as whole:
        orjson.loads(body)
    patch = pytest.MonkeyPatch()
    patch.setattr(long_strings, "CHUNK", chunk)
    patch.setattr(long_strings, "LONG", 3)
    try:
        with pytest.raises(NotValidJson) as streamed:
            through_filter(body, "item" if body.startswith(b"[") else "a")
    finally:
        patch.undo()
    assert str(streamed.value) == str(whole.value)


def test_an_escaped_backslash_before_u_is_not_an_escape() -> None:
    assert through_filter(rb'["\\ud800"]', "item") == ["\\ud800"]


def test_a_long_string_is_decoded_here_not_by_ijson(monkeypatch) -> None:
    monkeypatch.setattr(long_strings, "CHUNK", 8)
    monkeypatch.setattr(long_strings, "LONG", 8)
    text = "word\n" * 50 + "é😀"
    data = json.dumps([{"text": text, "n": 1}]).encode()
    handle = io.BytesIO(data)
    strings = LongStrings(handle)
    (raw,) = ijson.items(strings, "item")
    assert raw["text"].startswith(strings.token)  # ijson saw a placeholder
    assert strings.restore(raw) == {"text": text, "n": 1}
    strings = LongStrings(io.BytesIO(data), keep=False)
    (skipped,) = ijson.items(strings, "item")
    assert skipped["text"].startswith(strings.token) and not strings.values  # not decoded
    with pytest.raises(long_strings.Undecided):  # a row that needs it cannot be judged
        strings.restore(skipped)


def test_non_empty_arrays_after_the_documents_are_noticed(monkeypatch) -> None:
    monkeypatch.setattr(long_strings, "CHUNK", 7)
    data = b'{"documents": [], "entities": [], "tombstones" :[ {"a": 1}], "history": [\n]}'
    strings = LongStrings(io.BytesIO(data), keep=False)
    list(ijson.items(strings, "documents.item"))
    assert strings.tails == {"tombstones"}


def test_strings_of_parts_not_built_are_not_all_kept(monkeypatch) -> None:
    """A pass over the rows after the documents meets every text first: only PENDING
    characters of them are kept; a value needing a dropped one is Undecided, not wrong."""
    monkeypatch.setattr(long_strings, "CHUNK", 8)
    monkeypatch.setattr(long_strings, "LONG", 8)
    monkeypatch.setattr(long_strings, "PENDING", 100)
    texts = [f"{k} " + "x" * 80 for k in range(5)]
    data = json.dumps({"documents": [{"text": t} for t in texts], "rows": [{"a": 1}]}).encode()
    strings = LongStrings(io.BytesIO(data))
    kept: list[int] = []
    for row in ijson.items(strings, "rows.item"):
        kept.append(sum(map(len, strings.values.values())))
        assert strings.restore(row) == {"a": 1}
    assert kept and max(kept) <= 100 + 82  # PENDING, and the newest
    monkeypatch.setattr(long_strings, "PENDING", 50)  # less than one text: t is dropped at u
    strings = LongStrings(io.BytesIO(json.dumps([{"t": texts[0], "u": texts[1]}]).encode()))
    (both,) = ijson.items(strings, "item")
    with pytest.raises(long_strings.Undecided):
        strings.restore(both)
