"""κ and α over token units equal scikit-learn, krippendorff and statsmodels on the same units.

The units are derived here independently of the engine: a naive per-token loop (the
documented rule: tokens are ``\\w+|[^\\w\\s]`` matches; a token carries a tag when a fragment
of a span with that tag shares a code point with it), then the reference libraries run on the
per-token label lists. Figures must agree to 1e-9; where ours is None (undefined), the
reference must give nan or refuse."""

from __future__ import annotations

import math
import re
import warnings
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from annotator.domain.agreement import (
    OVERALL,
    DocumentLayers,
    Layer,
    UnitSpan,
    compute_report,
)
from annotator.domain.agreement.measures import cohen_kappa, fleiss_kappa, krippendorff_alpha

np = pytest.importorskip("numpy")
krippendorff = pytest.importorskip("krippendorff")
sklearn_metrics = pytest.importorskip("sklearn.metrics")
inter_rater = pytest.importorskip("statsmodels.stats.inter_rater")

TAGS = ("actor", "claim", "event")


# -- reference computations --------------------------------------------------------------------
def ref_cohen(a: list, b: list) -> float:
    if not a:
        return math.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(sklearn_metrics.cohen_kappa_score(a, b))


def ref_alpha(rows: list[list]) -> float:
    """rows: one list per annotator, None for missing."""
    values = sorted({v for row in rows for v in row if v is not None}, key=repr)
    code = {v: float(i) for i, v in enumerate(values)}
    data = np.array([[code[v] if v is not None else np.nan for v in row] for row in rows])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))
    except (ValueError, ZeroDivisionError):
        return math.nan


def ref_fleiss(rows: list[list]) -> float:
    values = sorted({v for row in rows for v in row}, key=repr)
    code = {v: i for i, v in enumerate(values)}
    data = np.array([[code[v] for v in row] for row in rows]).T  # units × raters
    table, _ = inter_rater.aggregate_raters(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(inter_rater.fleiss_kappa(table, method="fleiss"))


def assert_same(ours: float | None, reference: float) -> None:
    if ours is None:
        assert math.isnan(reference), f"ours undefined, reference {reference}"
    else:
        assert not math.isnan(reference), f"ours {ours}, reference undefined"
        assert abs(ours - reference) <= 1e-9, (ours, reference)


# -- naive units -------------------------------------------------------------------------------
def naive_units(docs: list[DocumentLayers], annotators: list[str]) -> list[list]:
    """Per token (over all documents): per annotator the set of tags, or None (not covering)."""
    units = []
    for doc in docs:
        for match in re.finditer(r"\w+|[^\w\s]", doc.text):
            ts, te = match.span()
            row = []
            for annotator in annotators:
                layer = doc.layers.get(annotator)
                if layer is None:
                    row.append(None)
                    continue
                row.append(
                    frozenset(
                        s.tag
                        for s in layer.spans
                        if any(fs < te and ts < fe for fs, fe in s.fragments)
                    )
                )
            units.append(row)
    return units


def overall_label(tags):
    return None if tags is None else "+".join(sorted(tags))


def tag_label(tags, tag):
    return None if tags is None else tag in tags


def columns(units, labeller) -> list[list]:
    """One row per annotator (krippendorff's reliability_data layout)."""
    return [list(row) for row in zip(*[[labeller(v) for v in unit] for unit in units], strict=True)]


def check_report(docs: list[DocumentLayers], annotators: list[str]) -> None:
    report = compute_report(docs, annotators, tags=TAGS)
    units = naive_units(docs, annotators)
    if not units:
        return
    scopes = [(OVERALL, overall_label)] + [
        (tag, lambda v, tag=tag: tag_label(v, tag)) for tag in TAGS
    ]
    for key, labeller in scopes:
        rows = columns(units, labeller)
        for pair in report.pairs:
            i, j = annotators.index(pair.a), annotators.index(pair.b)
            both = [
                (x, y)
                for x, y in zip(rows[i], rows[j], strict=True)
                if x is not None and y is not None
            ]
            assert_same(
                pair.kappa[key].value, ref_cohen([x for x, _ in both], [y for _, y in both])
            )
            assert_same(pair.alpha[key].value, ref_alpha([rows[i], rows[j]]))
        assert_same(report.group.alpha[key].value, ref_alpha(rows))
        if all(v is not None for row in rows for v in row):
            assert_same(report.group.fleiss[key].value, ref_fleiss(rows))
        else:
            assert report.group.fleiss[key].value is None
            assert report.group.fleiss[key].reason == "not every annotator covers every unit"


# -- hand-made cases ---------------------------------------------------------------------------
def doc(text: str, **layers: list[tuple[str, int, int]]) -> DocumentLayers:
    return DocumentLayers(
        "d-" + text[:8],
        text,
        {
            name: Layer(
                tuple(UnitSpan(f"{name}{k}", tag, ((s, e),)) for k, (tag, s, e) in enumerate(spans))
            )
            for name, spans in layers.items()
        },
    )


TEXT = "Mayor Jane Doe said the bridge was safe. Engineers 😀 disagreed!"


def test_two_annotators_partial_agreement_equals_references() -> None:
    d = doc(
        TEXT,
        a=[("actor", 0, 14), ("claim", 20, 39)],
        b=[("actor", 6, 14), ("claim", 24, 39), ("event", 41, 50)],
    )
    check_report([d], ["a", "b"])


def test_overlapping_tags_in_one_layer_equal_references() -> None:
    d = doc(
        TEXT,
        a=[("actor", 0, 14), ("claim", 0, 39)],
        b=[("actor", 0, 14), ("claim", 6, 39), ("claim", 10, 20)],
        c=[("claim", 0, 39)],
    )
    check_report([d], ["a", "b", "c"])


def test_missing_annotator_gives_missing_data_for_alpha_and_no_fleiss() -> None:
    first = doc(TEXT, a=[("actor", 0, 14)], b=[("actor", 0, 10)], c=[("actor", 6, 14)])
    second = doc("Another text, with words.", a=[("claim", 0, 12)], b=[("claim", 0, 7)])
    check_report([first, second], ["a", "b", "c"])
    report = compute_report([first, second], ["a", "b", "c"], tags=TAGS)
    assert report.group.fleiss[OVERALL].value is None


def test_all_agree_on_one_label_is_undefined_like_the_references() -> None:
    """Nobody tagged anything: every token is 'none' for both. κ and α are 0/0: we return None
    with the reason; scikit-learn gives nan, krippendorff refuses, statsmodels gives nan."""
    d = doc(TEXT, a=[], b=[])
    report = compute_report([d], ["a", "b"], tags=TAGS)
    pair = report.pairs[0]
    assert pair.kappa[OVERALL].value is None
    assert pair.alpha[OVERALL].value is None
    assert report.group.fleiss[OVERALL].value is None
    assert "only one label" in pair.kappa[OVERALL].reason
    check_report([d], ["a", "b"])


def test_all_agree_with_two_labels_is_one() -> None:
    d = doc(TEXT, a=[("actor", 0, 14)], b=[("actor", 0, 14)])
    report = compute_report([d], ["a", "b"], tags=TAGS)
    assert report.pairs[0].kappa[OVERALL].value == pytest.approx(1.0)
    assert report.pairs[0].alpha["actor"].value == pytest.approx(1.0)
    assert report.pairs[0].kappa[OVERALL].passages == []
    check_report([d], ["a", "b"])


def test_one_label_each_never_agreeing_is_zero_like_sklearn() -> None:
    assert cohen_kappa(Counter({("x", "y"): 5})) == pytest.approx(ref_cohen(["x"] * 5, ["y"] * 5))


def test_measures_on_pattern_counts_match_references_directly() -> None:
    patterns = Counter(
        {("a", "a", "b"): 3, ("b", "b", "b"): 4, ("a", None, "a"): 2, ("c", "a", None): 1}
    )
    rows = [[p[i] for p, n in patterns.items() for _ in range(n)] for i in range(3)]
    assert_same(krippendorff_alpha(patterns), ref_alpha(rows))
    full = Counter({("a", "a", "b"): 3, ("b", "b", "b"): 4, ("a", "c", "a"): 2})
    full_rows = [[p[i] for p, n in full.items() for _ in range(n)] for i in range(3)]
    assert_same(fleiss_kappa(full), ref_fleiss(full_rows))
    assert fleiss_kappa(patterns) is None  # someone is missing on some unit


def test_disagreement_passages_are_token_runs() -> None:
    d = doc(TEXT, a=[("actor", 0, 14)], b=[("actor", 6, 14)])
    pair = compute_report([d], ["a", "b"], tags=TAGS).pairs[0]
    (passage,) = pair.kappa["actor"].passages
    assert (passage.start, passage.end) == (0, 5)  # "Mayor": a says yes, b says no
    assert TEXT[passage.start : passage.end] == "Mayor"
    assert passage.annotators == ("a", "b")


# -- generated annotation sets -----------------------------------------------------------------
ALPHABET = [*"ab cd,.\n😀é-", "\u0301"]


@st.composite
def spans_for(draw, length: int, prefix: str) -> tuple[UnitSpan, ...]:
    spans = []
    for number in range(draw(st.integers(0, 6))):
        cuts = sorted(draw(st.lists(st.integers(0, length), min_size=2, max_size=4, unique=True)))
        pairs = [(cuts[k], cuts[k + 1]) for k in range(0, len(cuts) - 1, 2)]
        tag = draw(st.sampled_from(TAGS))
        spans.append(UnitSpan(f"{prefix}{number}", tag, tuple(pairs)))
    return tuple(spans)


@st.composite
def annotation_sets(draw) -> tuple[list[DocumentLayers], list[str]]:
    annotators = [f"r{k}" for k in range(draw(st.integers(2, 4)))]
    full = draw(st.booleans())
    docs = []
    for number in range(draw(st.integers(1, 3))):
        text = draw(st.text(alphabet=ALPHABET, min_size=1, max_size=40))
        layers = {}
        for annotator in annotators:
            if full or draw(st.integers(0, 3)) > 0:
                layers[annotator] = Layer(draw(spans_for(len(text), f"{annotator}-{number}-")))
        docs.append(DocumentLayers(f"doc{number}", text, layers))
    return docs, annotators


@settings(max_examples=150, deadline=None)
@given(annotation_sets())
def test_generated_sets_equal_the_reference_libraries(case) -> None:
    docs, annotators = case
    check_report(docs, annotators)
