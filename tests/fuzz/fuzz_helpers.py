"""Shared by the fuzzers: hostile values, structure-aware mutators, and the one outcome every
entrance must have (a clean import, or a one-line refusal that leaves the project's bytes).

`ANNOTATOR_FUZZ_EXAMPLES` sets the examples per fuzzer (default 10: the normal suite's short
run). A release runs the long one, e.g. `ANNOTATOR_FUZZ_EXAMPLES=2000` (see the README).
"""

from __future__ import annotations

import copy
import hashlib
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from annotator.domain.field_rules import TABLE_RULES
from annotator.errors import AnnotatorError
from annotator.services.project import Project
from annotator.store.project_store import ProjectStore

EXAMPLES = int(os.environ.get("ANNOTATOR_FUZZ_EXAMPLES", "10"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,  # examples are files in tmp folders: nothing worth replaying by path
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)

#: Characters that broke or could break an entrance: NUL and the other C0 controls, DEL, CR,
#: BOM, a non-character, astral code points (two UTF-16 units), combining marks.
NASTY = "\x00\x01\x07\x08\x0b\x0c\x0d\x1b\x1f\x7f\ufeff\uffff\U0001f600\u0301\u2028\t\n "
hostile_text = st.text(alphabet=st.sampled_from(NASTY + "ab é"), max_size=12)
words = st.sampled_from(["", "a", "actor", "Mayor", "T1", "0", "-1", "ü", "\u0000", "x" * 70])
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.sampled_from([0, 1, -1, 2**31, 2**63, 10**20]),
    st.floats(allow_nan=True, allow_infinity=True),
    hostile_text,
    words,
    st.sampled_from(["2026-01-31T12:00:00.000Z", "01a2520d-eaf5-7013-9172-f9217adb5349"]),
)
hostile_value = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(words, inner, max_size=3)),
    max_leaves=6,
)


def paths_of(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a node of a JSON value (the root included)."""
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths_of(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths_of(item, (*prefix, index))
    return found


MUTATIONS = ("replace", "delete", "duplicate", "poison", "shift")


@st.composite
def json_mutations(draw: st.DrawFn, max_mutations: int = 4) -> list[tuple]:
    """(node index, mutation, hostile value) triples; applied by `mutate_json`."""
    return draw(
        st.lists(
            st.tuples(st.integers(0, 10**6), st.sampled_from(MUTATIONS), hostile_value),
            min_size=1,
            max_size=max_mutations,
        )
    )


def mutate_json(data: Any, mutations: list[tuple]) -> Any:
    """A copy of data with each mutation applied to the node it picks: replaced by a hostile
    value, deleted, duplicated, poisoned (a string gets hostile characters) or shifted (a
    number moves by a large amount)."""
    data = copy.deepcopy(data)
    for index, kind, value in mutations:
        paths = paths_of(data)[1:]
        if not paths:
            return value
        path = paths[index % len(paths)]
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        key, node = path[-1], parent[path[-1]]
        if kind == "replace":
            parent[key] = value
        elif kind == "delete":
            del parent[key]
        elif kind == "duplicate" and isinstance(parent, list):
            parent.insert(key, copy.deepcopy(node))
        elif kind == "poison" and isinstance(node, str):
            cut = len(node) // 2
            parent[key] = node[:cut] + (value if isinstance(value, str) else "\x00") + node[cut:]
        elif kind == "shift" and type(node) is int:
            parent[key] = node + (value if type(value) is int else 10**9)
    return data


def sha256_of(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def one_line(error: BaseException) -> str:
    message = str(error)
    assert message and "\n" not in message, f"not one line: {message!r}"
    return message


def assert_clean_outcome(project_path: Path, action: Callable[[Project], object]) -> str | None:
    """Run action on the project; it either succeeds or raises an AnnotatorError with a
    one-line message and leaves the file byte-identical. Either way the project then opens
    and passes `annotator check`. Returns the refusal, or None."""
    before = sha256_of(project_path)
    refusal = None
    with Project.open(project_path, annotator_name="Fuzzer") as project:
        try:
            action(project)
        except AnnotatorError as error:
            refusal = one_line(error)
    if refusal is not None:
        assert sha256_of(project_path) == before, f"refused but changed: {refusal}"
    store = ProjectStore.open(project_path, read_only=True)
    try:
        assert store.integrity_check() == [], refusal
    finally:
        store.close()
    return refusal


# -- hostile project files ------------------------------------------------------------------

#: SQL literals a hostile author might write into any column.
HOSTILE_SQL = (
    "NULL",
    "0",
    "-1",
    "9223372036854775807",
    "1.5",
    "'hacked'",
    "'bogus'",
    "'{not json'",
    "'[1, 2]'",
    "'{\"a\": [1]}'",
    "'a' || char(0) || 'b'",
    "char(13) || char(10)",
    "X'FF00FE'",
    "''",
    "'2026-02-30T00:00:00.000Z'",
    "'01A2520D-EAF5-7013-9172-F9217ADB5349'",
    "(SELECT max(id) FROM spans)",
    "(SELECT min(id) FROM spans)",
)
TABLES = sorted(TABLE_RULES)


@st.composite
def sql_mutations(draw: st.DrawFn) -> list[str]:
    """1-4 statements, each setting one column of one row (or deleting a row) of any table."""
    statements = []
    for _ in range(draw(st.integers(1, 4))):
        table = draw(st.sampled_from(TABLES))
        columns = sorted(TABLE_RULES[table])
        row = draw(st.integers(0, 40))
        pick = f'rowid = (SELECT rowid FROM "{table}" LIMIT 1 OFFSET {row} % max(1, (SELECT count(*) FROM "{table}")))'  # noqa: E501
        if draw(st.integers(0, 9)) == 0:
            statements.append(f'DELETE FROM "{table}" WHERE {pick}')
        else:
            column = draw(st.sampled_from(columns))
            value = draw(st.sampled_from(HOSTILE_SQL))
            statements.append(f'UPDATE "{table}" SET "{column}" = {value} WHERE {pick}')
    return statements


def apply_hostile(path: Path, statements: list[str]) -> list[str]:
    """Run each statement that SQLite accepts (a STRICT type or UNIQUE may refuse one)."""
    connection = sqlite3.connect(path, isolation_level=None)
    applied = []
    try:
        connection.execute("PRAGMA foreign_keys = OFF")
        connection.execute("PRAGMA ignore_check_constraints = ON")
        for statement in statements:
            try:
                connection.execute(statement)
                applied.append(statement)
            except sqlite3.Error:
                continue
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return applied
