"""brat's annotation.conf: written from a project schema, read into types, roles and attributes.

Written: [entities] every tag key; [relations] every link type (Arg1: its source tags, Arg2: its
target tags, `<ENTITY>` for any; `<REL-TYPE>:symmetric` when undirected) plus the `<OVERLAP>`
line that lets spans overlap as they may here; [events] none (our events are spans, written as
entities); [attributes] a binary attribute per boolean attribute key and a valued one per choice
attribute key whose values fit brat (spaces become "_"), `Arg:` naming the tags that have it.

Read: entity and event types (hierarchy indentation, `!` abstract types and `----` separators
ignored, `<MACRO>=A|B` expanded), relations with their argument types and symmetry, event roles,
and attributes (binary or `Value:` lists) with the types they attach to."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from annotator.domain.model import Schema

SECTIONS = ("entities", "relations", "events", "attributes", "spans")
#: brat's own aliases of sections (its shipped configurations write [spans] for [entities]).
SECTION_ALIASES = {"spans": "entities"}
#: A brat attribute value or name: one word without the config's separators.
SAFE = re.compile(r"^[^\s|,:;=<>{}]+$")
ANY = ("<ENTITY>", "<ANY>", "<EVENT>")


class ConfError(ValueError):
    """A line of annotation.conf cannot be read; the message names the line."""


def brat_value(choice: str) -> str | None:
    """A choice as a brat attribute value (spaces → "_"), None when it cannot be one."""
    value = choice.replace(" ", "_")
    return value if SAFE.match(value) else None


def write_conf(schema: Schema) -> tuple[str, set[tuple[str, str]]]:
    """The annotation.conf text, and the (tag, attribute key) pairs it cannot carry."""
    lines = ["# Written by Annotator: tags are entities (events: event tags), links are relations"]
    lines += ["# and event arguments.", "[entities]"]
    lines += [tag.key for tag in schema.tag_types if tag.kind != "event"]
    lines += ["", "[relations]"]
    for link_type in schema.link_types:
        # sorted: a re-imported schema lists event tags after entities (their conf section)
        sources = "|".join(sorted(link_type.sources)) or "<ENTITY>"
        targets = "|".join(sorted(link_type.targets)) or "<ENTITY>"
        line = f"{link_type.key}\tArg1:{sources}, Arg2:{targets}"
        lines.append(line + ("" if link_type.directed else ", <REL-TYPE>:symmetric"))
    lines.append("<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>")
    lines += ["", "[events]"]
    roles = ", ".join(f"{t.key}*:<ENTITY>|<EVENT>" for t in schema.link_types)
    for tag in schema.tag_types:  # every link type may be an argument role, any number of times
        if tag.kind == "event":
            lines.append(f"{tag.key}\t{roles}" if roles else tag.key)
    lines += ["", "[attributes]"]
    by_key: dict[str, list] = {}
    for tag in schema.tag_types:
        for attribute in tag.attributes:
            by_key.setdefault(attribute.key, []).append((tag.key, attribute))
    dropped: set[tuple[str, str]] = set()
    for key in sorted(by_key):
        owners = by_key[key]
        kinds = {a.value_type for _, a in owners}
        values: list[str] = []
        for _, attribute in owners:
            values += [v for v in map(brat_value, attribute.choices) if v and v not in values]
        fits = SAFE.match(key) and (
            kinds == {"boolean"}
            or (kinds == {"choice"} and all(brat_value(c) for _, a in owners for c in a.choices))
        )
        if not fits:
            dropped |= {(tag, key) for tag, _ in owners}
            continue
        line = f"{key}\tArg:{'|'.join(tag for tag, _ in owners)}"
        lines.append(line + (f", Value:{'|'.join(values)}" if kinds == {"choice"} else ""))
    return "\n".join(lines) + "\n", dropped


@dataclass
class RelationDef:
    sources: tuple[str, ...] = ()
    targets: tuple[str, ...] = ()
    directed: bool = True


@dataclass
class AttributeSpec:
    targets: tuple[str, ...] = ()  # types it attaches to; () = any
    values: tuple[str, ...] = ()  # () = binary


@dataclass
class BratConf:
    entities: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    relations: dict[str, RelationDef] = field(default_factory=dict)
    roles: list[str] = field(default_factory=list)
    attributes: dict[str, AttributeSpec] = field(default_factory=dict)
    lines: dict[str, int] = field(default_factory=dict)  # type name → line number


def _types(spec: str, macros: dict[str, str]) -> tuple[str, ...]:
    names: list[str] = []
    for name in spec.split("|"):
        name = name.strip()
        expanded = macros.get(name)
        if expanded is not None:
            names += _types(expanded, macros)
        elif name in ANY:
            return ()
        elif name:
            names.append(name)
    return tuple(names)


def _arguments(rest: str) -> list[tuple[str, str]]:
    """`Role?:A|B, Role2:C` → [(role, types)], repetition marks taken off the role."""
    found = []
    for part in rest.split(","):
        if ":" in part:
            role, _, types = part.strip().partition(":")
            found.append((re.sub(r"(\{[\d,-]+\}|[?*+])$", "", role.strip()), types.strip()))
    return found


def read_conf(text: str, name: str = "annotation.conf") -> BratConf:
    """Parse annotation.conf text; ConfError names the file and line of a line it cannot read."""
    conf, section, macros = BratConf(), None, {}
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].rstrip() if raw.lstrip().startswith("#") else raw.rstrip()
        stripped = line.strip()
        if not stripped or set(stripped) == {"-"}:
            continue
        match = re.fullmatch(r"\[(\w+)\]", stripped)
        if match:
            section = SECTION_ALIASES.get(match.group(1), match.group(1))
            if section not in SECTIONS:
                raise ConfError(f"{name}:{number}: unknown section [{section}]")
            continue
        macro = re.fullmatch(r"(<[\w-]+>)\s*=\s*(.+)", stripped)
        if macro:
            macros[macro.group(1)] = macro.group(2)
            continue
        if section is None:
            raise ConfError(f"{name}:{number}: a definition before the first [section]")
        head, _, rest = stripped.partition("\t") if "\t" in stripped else stripped.partition(" ")
        head, rest = head.strip().split("|", 1)[0], rest.strip()  # Type|Alias: the type
        if head.startswith("!") or head.startswith("<"):  # abstract or special (<OVERLAP>)
            continue
        if section == "entities":
            conf.entities.append(head)
        elif section == "events":
            conf.events.append(head)
            conf.roles += [r for r, _ in _arguments(rest) if r not in conf.roles]
        elif section == "relations":
            if head in ("ENTITY-NESTING",):
                continue
            args = dict(_arguments(rest))
            if "Arg1" not in args or "Arg2" not in args:
                arg_names = [r for r in args if not r.startswith("<")]
                if len(arg_names) != 2:
                    raise ConfError(f"{name}:{number}: a relation needs two arguments")
                args["Arg1"], args["Arg2"] = args[arg_names[0]], args[arg_names[1]]
            symmetric = "symmetric" in args.get("<REL-TYPE>", "")
            conf.relations[head] = RelationDef(
                _types(args["Arg1"], macros), _types(args["Arg2"], macros), not symmetric
            )
        elif section == "attributes":
            args = dict(_arguments(rest))
            if "Arg" not in args:
                raise ConfError(f"{name}:{number}: an attribute needs Arg:")
            values = tuple(v.strip() for v in args.get("Value", "").split("|") if v.strip())
            conf.attributes[head] = AttributeSpec(_types(args["Arg"], macros), values)
        conf.lines.setdefault(head, number)
    return conf
