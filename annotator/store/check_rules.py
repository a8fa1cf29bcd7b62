"""What the open checklist enforces on rows, read from schema.sql: its CHECK constraints, the
text columns a reader decodes, and the JSON columns with the shape each must have."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from functools import cache

from annotator.store.ddl import schema_sql, split_statements

#: JSON columns: (table, column) -> the JSON type its readers need ("any": any JSON value), and
#: the default value the writers store (rows holding it are not parsed again: it is valid).
JSON_COLUMNS: dict[tuple[str, str], tuple[str, str]] = {
    ("spans", "attributes"): ("object", "{}"),
    ("links", "attributes"): ("object", "{}"),
    ("documents", "extra"): ("object", "{}"),
    ("entities", "aliases"): ("array", "[]"),
    ("entities", "external_ids"): ("object", "{}"),
    ("attribute_defs", "choices"): ("array", "[]"),
    ("attribute_defs", "default_value"): ("any", "null"),
    ("history", "detail"): ("object", "{}"),
    ("merge_reports", "report"): ("object", "{}"),
    ("decisions", "unit_key"): ("any", "null"),
}


@dataclass(frozen=True)
class TableRules:
    """One table's rules: the CHECK expressions of schema.sql (column and table constraints,
    as written there) and the TEXT columns to decode."""

    name: str
    checks: tuple[str, ...]
    text_columns: tuple[str, ...]
    has_uuid: bool


_CREATE_TABLE = re.compile(r"CREATE\s+TABLE\s+(\w+)\s*\(", re.IGNORECASE)


def check_expressions(create_sql: str) -> list[str]:
    """Every `CHECK (...)` expression of a CREATE TABLE statement, parentheses balanced
    (quoted strings and identifiers skipped)."""
    found = []
    for match in re.finditer(r"\bCHECK\s*\(", create_sql, re.IGNORECASE):
        depth, position, quote = 1, match.end(), ""
        while depth and position < len(create_sql):
            char = create_sql[position]
            if quote:
                quote = "" if char == quote else quote
            elif char in "'\"":
                quote = char
            elif char == "(":
                depth += 1
            elif char == ")":
                depth -= 1
            position += 1
        found.append(" ".join(create_sql[match.end() : position - 1].split()))
    return found


@cache
def table_rules() -> tuple[TableRules, ...]:
    """The rules of every ordinary table schema.sql creates, in file order."""
    connection = sqlite3.connect(":memory:")
    rules = []
    try:
        for statement in split_statements(schema_sql()):
            connection.execute(statement)
            match = _CREATE_TABLE.match(statement)
            if not match:
                continue
            table = match.group(1)
            columns = connection.execute(f"PRAGMA table_info({table})").fetchall()
            text = tuple(name for _, name, kind, *_ in columns if kind.upper() == "TEXT")
            names = {name for _, name, *_ in columns}
            rules.append(
                TableRules(table, tuple(check_expressions(statement)), text, "uuid" in names)
            )
    finally:
        connection.close()
    return tuple(rules)
