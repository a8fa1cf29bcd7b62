"""Chance-corrected agreement coefficients over unit patterns (Cohen's κ, Fleiss' κ, α).

Every measure here reads a *pattern count*: a mapping from a pattern — one value per annotator,
``None`` where the annotator gave no value (missing data) — to how many units show it. Counting
patterns instead of units keeps the cost independent of the number of tokens, and the same
counts feed every measure, so κ and α are computed on exactly the same units.

A coefficient is ``None`` when it is undefined: the expected disagreement is zero (every value
in the units is the same label, so chance agreement is certain and 0/0 remains), or there is no
pairable unit at all. scikit-learn returns nan and the ``krippendorff`` package raises in those
cases; we return None and say why (see `undefined_reason`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from itertools import combinations

Pattern = tuple[Hashable | None, ...]
PatternCounts = Mapping[Pattern, int]


def project(patterns: PatternCounts, indices: Iterable[int]) -> Counter[Pattern]:
    """The pattern counts of a subset of annotators (by position), others dropped."""
    chosen = tuple(indices)
    projected: Counter[Pattern] = Counter()
    for pattern, count in patterns.items():
        if count:
            projected[tuple(pattern[i] for i in chosen)] += count
    return projected


def cohen_kappa(pairs: PatternCounts) -> float | None:
    """Cohen's κ of two annotators from (value A, value B) pattern counts.

    Units where either value is missing are left out (as scikit-learn needs both labels)."""
    total = 0
    observed = 0
    margin_a: Counter[Hashable] = Counter()
    margin_b: Counter[Hashable] = Counter()
    for (a, b), count in pairs.items():
        if a is None or b is None or not count:
            continue
        total += count
        margin_a[a] += count
        margin_b[b] += count
        if a == b:
            observed += count
    if total == 0:
        return None
    expected = sum(margin_a[label] * margin_b.get(label, 0) for label in margin_a) / (total * total)
    if expected >= 1.0:
        return None
    return (observed / total - expected) / (1.0 - expected)


def krippendorff_alpha(patterns: PatternCounts) -> float | None:
    """Krippendorff's α, nominal, any number of annotators, missing values allowed.

    Coincidences: a unit with m ≥ 2 values adds, for each ordered pair of values from different
    annotators, 1/(m − 1) to o[c, k]; units with fewer than two values are not pairable and
    count for nothing. α = 1 − (n − 1) · Σ_{c≠k} o[c,k] / Σ_{c≠k} n_c · n_k."""
    disagreeing = 0.0
    margins: Counter[Hashable] = Counter()
    for pattern, count in patterns.items():
        values = [v for v in pattern if v is not None]
        m = len(values)
        if m < 2 or not count:
            continue
        seen = Counter(values)
        for value, n in seen.items():
            margins[value] += n * count
        # ordered pairs from different annotators with different values: m² − Σ n_v²
        differing = m * m - sum(n * n for n in seen.values())
        disagreeing += count * differing / (m - 1)
    n_total = sum(margins.values())
    if n_total < 2:
        return None
    expected = n_total * n_total - sum(n * n for n in margins.values())
    if expected <= 0:
        return None
    return 1.0 - (n_total - 1) * disagreeing / expected


def fleiss_kappa(patterns: PatternCounts) -> float | None:
    """Fleiss' κ; every unit must carry a value from every annotator (else None).

    P_i = (Σ_j n_ij² − n) / (n (n − 1)); κ = (mean P_i − Σ_j p_j²) / (1 − Σ_j p_j²)."""
    raters = 0
    units = 0
    agreement = 0.0
    margins: Counter[Hashable] = Counter()
    for pattern, count in patterns.items():
        if not count:
            continue
        if any(v is None for v in pattern):
            return None
        raters = len(pattern)
        seen = Counter(pattern)
        units += count
        for value, n in seen.items():
            margins[value] += n * count
        agreement += count * (sum(n * n for n in seen.values()) - raters)
    if units == 0 or raters < 2:
        return None
    mean_agreement = agreement / (units * raters * (raters - 1))
    cells = units * raters
    chance = sum((n / cells) ** 2 for n in margins.values())
    if chance >= 1.0:
        return None
    return (mean_agreement - chance) / (1.0 - chance)


def undefined_reason(patterns: PatternCounts, *, all_present: bool = False) -> str:
    """Why a coefficient over these patterns is None (for reports); "" if it is defined."""
    values = Counter(
        v
        for pattern, n in patterns.items()
        if n and sum(x is not None for x in pattern) >= 2
        for v in pattern
        if v is not None
    )
    if all_present and any(
        n and any(v is None for v in pattern) for pattern, n in patterns.items()
    ):
        return "not every annotator covers every unit"
    pairable = sum(
        n for pattern, n in patterns.items() if n and sum(v is not None for v in pattern) >= 2
    )
    if pairable == 0:
        return "no unit carries values from two annotators"
    if len(values) < 2:
        return "only one label occurs, so chance agreement is certain"
    return ""


def pairs_of(count: int) -> list[tuple[int, int]]:
    """Every pair of annotator positions, in order."""
    return list(combinations(range(count), 2))
