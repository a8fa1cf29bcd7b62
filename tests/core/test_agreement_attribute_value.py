"""attribute_value: the label of an attribute value is its JSON text (a number's, a bool's and
a string's without calling json, which must give the same text)."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from annotator.domain.agreement.pair_work import attribute_value

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
)


@given(scalars)
def test_a_scalar_is_labelled_as_json_writes_it(value) -> None:
    assert attribute_value(value) == json.dumps(value, sort_keys=True, ensure_ascii=False)


@given(st.lists(scalars, max_size=5))
def test_a_list_is_labelled_sorted(values) -> None:
    assert attribute_value(values) == attribute_value(list(reversed(values)))
