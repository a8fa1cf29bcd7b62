"""The shipped default schema and the sample article's metadata, checked strictly.

Colours: every colour has a contrast of at least 3:1 (WCAG 2 non-text contrast) against white
and against a dark background (#1e1e1e), and tag colours stay apart for deuteranopes and
protanopes (Machado et al. 2009 simulation, CIE76 distance).
"""

from __future__ import annotations

import json
import math
import re
import uuid
from datetime import date
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest

from annotator.io.documents.text import PlainTextImporter

RESOURCES = Path(__file__).parents[2] / "resources"
TAG_KEYS = {"id", "key", "label", "kind", "color", "hotkey", "guideline", "attributes"}
LINK_KEYS = {"id", "key", "label", "directed", "color", "guideline", "sources", "targets"}
LINK_KEYS |= {"attributes"}
ATTRIBUTE_KEYS = {"id", "key", "label", "type", "choices", "required", "default", "guideline"}
VALUE_TYPES = {"choice", "multi_choice", "text", "number", "date", "boolean"}
KEY = re.compile(r"^[a-z][a-z0-9_]*$")
COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")
DARK = "#1e1e1e"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return json.loads((RESOURCES / "default_schema.json").read_text(encoding="utf-8"))


def _is_uuid(value: Any) -> bool:
    try:
        return isinstance(value, str) and str(uuid.UUID(value)) == value
    except ValueError:
        return False


def _valid_value(attribute: dict[str, Any], value: Any) -> bool:
    kind = attribute["type"]
    if kind == "choice":
        return value in attribute["choices"]
    if kind == "multi_choice":
        return isinstance(value, list) and set(value) <= set(attribute["choices"])
    if kind == "text":
        return isinstance(value, str)
    if kind == "number":
        return (
            isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
        )
    if kind == "date":
        return isinstance(value, str) and len(value) == 10 and bool(date.fromisoformat(value))
    return isinstance(value, bool)


def _check_item(item: dict[str, Any], keys: set[str]) -> None:
    assert set(item) == keys, item.get("key")
    assert _is_uuid(item["id"])
    assert isinstance(item["key"], str) and KEY.match(item["key"])
    assert isinstance(item["label"], str) and item["label"].strip()
    assert isinstance(item["guideline"], str) and len(item["guideline"]) >= 20


def _check_attributes(owner: dict[str, Any]) -> None:
    attributes = owner["attributes"]
    assert isinstance(attributes, list)
    assert len({a["key"] for a in attributes}) == len(attributes)
    for attribute in attributes:
        _check_item(attribute, ATTRIBUTE_KEYS)
        assert attribute["type"] in VALUE_TYPES
        choices = attribute["choices"]
        assert isinstance(choices, list) and all(isinstance(c, str) and c for c in choices)
        assert len(set(choices)) == len(choices)
        assert bool(choices) == (attribute["type"] in ("choice", "multi_choice"))
        assert isinstance(attribute["required"], bool)
        assert attribute["default"] is None or _valid_value(attribute, attribute["default"])


def _all_ids(schema: dict[str, Any]) -> list[str]:
    items = schema["tag_types"] + schema["link_types"]
    return [i["id"] for i in items] + [a["id"] for i in items for a in i["attributes"]]


def test_header(schema: dict[str, Any]) -> None:
    assert set(schema) == {"format", "version", "tag_types", "link_types"}
    assert (schema["format"], schema["version"]) == ("annotator-schema", 1)


def test_tag_types_shape(schema: dict[str, Any]) -> None:
    tags = schema["tag_types"]
    for tag in tags:
        _check_item(tag, TAG_KEYS)
        assert tag["kind"] in ("actor", "event", "claim", "custom")
        assert COLOR.match(tag["color"])
        assert tag["hotkey"] is None or (isinstance(tag["hotkey"], str) and len(tag["hotkey"]) == 1)
        _check_attributes(tag)
    assert len({t["key"] for t in tags}) == len(tags)
    hotkeys = [t["hotkey"] for t in tags if t["hotkey"] is not None]
    assert len(set(hotkeys)) == len(hotkeys)


def test_link_types_shape(schema: dict[str, Any]) -> None:
    tag_keys = {t["key"] for t in schema["tag_types"]}
    links = schema["link_types"]
    for link in links:
        _check_item(link, LINK_KEYS)
        assert isinstance(link["directed"], bool)
        assert COLOR.match(link["color"])
        for role in ("sources", "targets"):
            assert isinstance(link[role], list) and set(link[role]) <= tag_keys
            assert len(set(link[role])) == len(link[role])
        _check_attributes(link)
    assert len({t["key"] for t in links}) == len(links)


def test_ids_are_valid_and_unique(schema: dict[str, Any]) -> None:
    ids = _all_ids(schema)
    assert all(_is_uuid(i) for i in ids)
    assert len(set(ids)) == len(ids)


def test_content_covers_actors_events_claims(schema: dict[str, Any]) -> None:
    tags = {t["key"]: t for t in schema["tag_types"]}
    assert {k: (t["kind"], t["hotkey"]) for k, t in tags.items()} == {
        "actor": ("actor", "1"),
        "event": ("event", "2"),
        "claim": ("claim", "3"),
        "place": ("custom", "4"),
    }

    def attribute(tag: str, key: str) -> dict[str, Any]:
        return next(a for a in tags[tag]["attributes"] if a["key"] == key)

    kind = attribute("actor", "kind")
    assert kind["type"] == "choice" and kind["required"]
    expected = ["person", "organisation", "state", "armed forces", "media", "other"]
    assert kind["choices"] == expected
    assert "military exercise" in attribute("event", "type")["choices"]
    assert attribute("event", "date")["type"] == "date"
    assert attribute("event", "place")["type"] == "text"
    assert attribute("claim", "stance")["choices"] == ["supportive", "neutral", "critical"]
    verdicts = ["true", "mostly true", "misleading", "false", "unverifiable"]
    assert attribute("claim", "verdict")["choices"] == verdicts
    confidence = attribute("claim", "confidence")
    assert confidence["type"] == "number" and "0" in confidence["guideline"]

    links = {lt["key"]: lt for lt in schema["link_types"]}
    ends = {k: (lt["sources"], lt["targets"], lt["directed"]) for k, lt in links.items()}
    assert ends["asserts"] == (["actor"], ["claim"], True)
    assert ends["participates_in"] == (["actor"], ["event"], True)
    assert ends["about"][0] == ["claim"] and {"actor", "event"} <= set(ends["about"][1])
    assert ends["supports"] == ends["contradicts"] == (["claim"], ["claim"], True)
    assert "event" in ends["located_in"][0] and ends["located_in"][1] == ["place"]
    assert ends["same_as"] == ([], [], False)


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def _rgb(color: str) -> tuple[float, float, float]:
    r, g, b = (_linear(int(color[i : i + 2], 16)) for i in (1, 3, 5))
    return r, g, b


def _contrast(a: str, b: str) -> float:
    la, lb = (0.2126 * r + 0.7152 * g + 0.0722 * b for r, g, b in (_rgb(a), _rgb(b)))
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def _lab(rgb: tuple[float, float, float]) -> tuple[float, float, float]:
    r, g, b = rgb
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


_CVD = {  # Machado, Oliveira & Fernandes (2009), severity 1.0, on linear RGB
    "normal": ((1, 0, 0), (0, 1, 0), (0, 0, 1)),
    "deuteranopia": ((0.367, 0.861, -0.228), (0.280, 0.673, 0.047), (-0.012, 0.043, 0.969)),
    "protanopia": ((0.152, 1.053, -0.205), (0.115, 0.786, 0.099), (-0.004, -0.048, 1.052)),
}


def _seen(color: str, vision: str) -> tuple[float, float, float]:
    rgb = _rgb(color)
    r, g, b = (
        min(1.0, max(0.0, sum(m * c for m, c in zip(row, rgb, strict=True))))
        for row in _CVD[vision]
    )
    return _lab((r, g, b))


def test_colours_contrast_on_light_and_dark_backgrounds(schema: dict[str, Any]) -> None:
    for item in schema["tag_types"] + schema["link_types"]:
        assert _contrast(item["color"], "#ffffff") >= 3.0, item["key"]
        assert _contrast(item["color"], DARK) >= 3.0, item["key"]


def test_tag_colours_are_distinct_also_for_colour_blind_readers(schema: dict[str, Any]) -> None:
    tags = schema["tag_types"]
    for vision in _CVD:
        for a, b in combinations(tags, 2):
            distance = math.dist(_seen(a["color"], vision), _seen(b["color"], vision))
            assert distance >= 15, (vision, a["key"], b["key"], distance)
    links = schema["link_types"]
    for a, b in combinations(links, 2):
        assert math.dist(_seen(a["color"], "normal"), _seen(b["color"], "normal")) >= 20
    supports, contradicts = (
        next(lt for lt in links if lt["key"] == k) for k in ("supports", "contradicts")
    )
    for vision in _CVD:
        assert (
            math.dist(_seen(supports["color"], vision), _seen(contradicts["color"], vision)) >= 15
        )


def test_the_apps_own_reader_accepts_it(schema: dict[str, Any]) -> None:
    schema_file = pytest.importorskip("annotator.io.schema_file")
    parsed = schema_file.read_schema_file(schema)
    assert [t.key for t in parsed.tag_types] == [t["key"] for t in schema["tag_types"]]


def test_sample_metadata_matches_the_header_detector() -> None:
    meta = json.loads((RESOURCES / "sample_article.json").read_text(encoding="utf-8"))
    assert set(meta) == {"title", "author", "outlet", "published", "url", "language", "file"}
    assert all(isinstance(v, str) for v in meta.values())
    assert date.fromisoformat(meta["published"]).isoformat() == meta["published"]
    document = PlainTextImporter().read(RESOURCES / meta["file"])
    assert document.title == meta["title"]
    found = {k: document.metadata.get(k, "") for k in ("author", "outlet", "published", "url")}
    assert found == {k: meta[k] for k in ("author", "outlet", "published", "url")}
    assert document.metadata["language"] == meta["language"] == "en"
