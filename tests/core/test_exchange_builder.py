"""The one exchange builder every foreign import uses: row-level rows (brat, W3C) and checked
rows (spaCy, XMI, REFI-QDA, doccano, Label Studio) land in one exchange, with one policy for
new types (colours, keys from labels) and the reader family's uuid namespace."""

from __future__ import annotations

from annotator.domain.model import Annotator, Schema, TagType
from annotator.io.exchange import BUILT_IDS, FOREIGN_IDS, ImportContext, stable_uuid
from annotator.io.formats.builder import ExchangeBuilder
from annotator.io.formats.builder_schema import PALETTE

ME = Annotator("9c1b3a52-0f7e-4c55-9d0a-6a1f2b3c4d5e", "me")
ACTOR = TagType("3f1e2d4c-5b6a-4798-8a9b-0c1d2e3f4a5b", "actor", "Actor", "actor", "#1f77b4")


def builder(**options) -> ExchangeBuilder:
    return ExchangeBuilder(ImportContext.empty(ME, Schema((ACTOR,))), "file.x", **options)


def test_new_types_take_distinct_palette_colours_and_keep_a_colour_the_file_gives():
    b = builder()
    doc = b.document("Ann met Bob at Acme", "t", "$")
    b.span(doc, "PER", [(0, 3)], "$[0]")
    b.span(doc, "ORG", [(15, 19)], "$[1]")
    given = b.tag_key("Place", "$", color="#112233")
    tags = {t["key"]: t for t in b.exchange().data["schema"]["tag_types"]}
    assert tags["PER"]["color"] != tags["ORG"]["color"]
    assert {tags["PER"]["color"], tags["ORG"]["color"]} <= set(PALETTE)
    assert tags[given]["color"] == "#112233"


def test_labels_with_one_stem_become_two_types_and_a_project_label_finds_its_type():
    b = builder()
    assert b.tag_key("sárga", "$") == "s_rga"
    assert b.tag_key("s rga", "$") == "s_rga_2"
    assert b.tag_key("sárga", "$") == "s_rga"  # the same label again: the same type
    assert b.tag_key("Actor", "$") == "actor"  # the project's, by label: not copied
    keys = [t["key"] for t in b.exchange().data["schema"]["tag_types"]]
    assert keys == ["s_rga", "s_rga_2"]


def test_row_level_and_checked_rows_share_one_exchange():
    b = builder(ids=BUILT_IDS, keep_existing="stamped")
    row = b.add_document(b.uuid("doc", 1), "given", "Alpha beta", {"imported": b.when})
    owner = b.tag("actor")  # the project's type, extended by the file
    b.attribute(owner, "role", "choice", ("lead",))
    b.add_span(row, b.uuid("span", 1), b.add_annotator(ME.uuid, ME.name), "actor", [(0, 5)])
    key = b.document("Gamma\r\ndelta", "checked", "$")
    b.span(key, "actor", [(7, 12)], "$[0]")  # "delta" after the CR LF: remapped to 6-11
    exchange = b.exchange()
    assert exchange.keep_existing == "stamped"
    documents = exchange.data["documents"]
    assert [d["title"] for d in documents] == ["given", "checked"]
    assert [s["text"] for d in documents for s in d["spans"]] == ["Alpha", "delta"]
    assert documents[1]["spans"][0]["fragments"] == [[6, 11]]
    (actor,) = exchange.data["schema"]["tag_types"]
    assert actor["id"] == ACTOR.uuid
    assert [a["key"] for a in actor["attributes"]] == ["role"]
    assert "new" not in actor["attributes"][0]


def test_each_reader_family_keeps_its_uuid_namespace():
    built, foreign = builder(ids=BUILT_IDS), builder()
    assert built.uuid("brat", "x") == stable_uuid("brat", "x", ids=BUILT_IDS)
    assert foreign.uuid("span", "x") == stable_uuid("span", "x", ids=FOREIGN_IDS)
    # new types: the recipes each family has always used, so earlier imports match
    assert built.tag("Thing")["id"] == stable_uuid("tag", "Thing", ids=BUILT_IDS)
    assert foreign.tag_key("Thing", "$") == "Thing"
    assert foreign.tags["Thing"]["id"] == stable_uuid("type", True, "Thing", ids=FOREIGN_IDS)
