"""Annotation layers: every annotator's spans and links form a layer; the gold layer is one more.

The gold layer belongs to a reserved annotator with a fixed uuid, the same in every project file,
so the gold layers of two merged files are one layer (merging matches annotators by uuid)."""

from __future__ import annotations

GOLD_ANNOTATOR_UUID = "00000000-0000-7000-8000-000000000001"
GOLD_ANNOTATOR_NAME = "Gold"


def is_gold(annotator_uuid: str) -> bool:
    return annotator_uuid == GOLD_ANNOTATOR_UUID
