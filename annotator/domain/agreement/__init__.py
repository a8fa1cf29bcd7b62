"""Inter-annotator agreement: token units, span and link matching, κ / α / F1, the report."""

from annotator.domain.agreement.compute import Stopped, compute_report
from annotator.domain.agreement.report import (
    NONE_LABEL,
    OVERALL,
    AgreementReport,
    AttributeAgreement,
    Coefficient,
    GroupReport,
    MatchCounts,
    PairReport,
    Passage,
)
from annotator.domain.agreement.units import DocumentLayers, Layer, UnitLink, UnitSpan

__all__ = [
    "NONE_LABEL",
    "OVERALL",
    "AgreementReport",
    "AttributeAgreement",
    "Coefficient",
    "DocumentLayers",
    "GroupReport",
    "Layer",
    "MatchCounts",
    "PairReport",
    "Passage",
    "Stopped",
    "UnitLink",
    "UnitSpan",
    "compute_report",
]
