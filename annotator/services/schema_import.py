"""Importing a schema file into a project: items matched by key, added or updated, one step."""

from __future__ import annotations

import dataclasses

from annotator.domain.changes import ChangeSet
from annotator.domain.model import Schema
from annotator.services.command import Command, Compound
from annotator.services.project import Project
from annotator.services.schema_commands import (
    AddAttribute,
    AddLinkType,
    AddTagType,
    EditAttribute,
    EditLinkType,
    EditTagType,
)
from annotator.store.project_store import WriteSession


class ImportSchema(Command):
    """Add the file's missing tag types, link types and attributes, and update the label,
    colour, hotkey, kind, guideline and endpoints of those that exist. Nothing is deleted.
    Every refusal of the underlying edits (e.g. narrowing endpoints below existing links)
    refuses the whole import."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.compound: Compound | None = None
        self.added: list[str] = []
        self.updated: list[str] = []
        self.label = "Import schema"

    def _plan(self, project: Project) -> Compound:
        mine = project.schema
        commands: list[Command] = []
        for tag in self.schema.tag_types:
            existing = mine.tag(tag.key)
            if existing is None:
                commands.append(
                    AddTagType(
                        tag.key,
                        tag.label,
                        tag.kind,
                        tag.color,
                        hotkey=tag.hotkey,
                        guideline=tag.guideline,
                        attributes=tag.attributes,
                    )
                )
                self.added.append(f"tag type {tag.key}")
                continue
            fields = {
                f: getattr(tag, f)
                for f in ("label", "kind", "color", "hotkey", "guideline")
                if getattr(tag, f) != getattr(existing, f)
            }
            if fields:
                commands.append(EditTagType(tag.key, **fields))
                self.updated.append(f"tag type {tag.key}")
            commands += self._attributes("tag", tag.key, existing.attributes, tag.attributes)
        for link_type in self.schema.link_types:
            existing = mine.link_type(link_type.key)
            if existing is None:
                commands.append(
                    AddLinkType(
                        link_type.key,
                        link_type.label,
                        link_type.color,
                        directed=link_type.directed,
                        guideline=link_type.guideline,
                        sources=link_type.sources,
                        targets=link_type.targets,
                        attributes=link_type.attributes,
                    )
                )
                self.added.append(f"link type {link_type.key}")
                continue
            fields = {
                f: getattr(link_type, f)
                for f in ("label", "directed", "color", "guideline", "sources", "targets")
                if getattr(link_type, f) != getattr(existing, f)
            }
            if fields:
                commands.append(EditLinkType(link_type.key, **fields))
                self.updated.append(f"link type {link_type.key}")
            commands += self._attributes(
                "link", link_type.key, existing.attributes, link_type.attributes
            )
        return Compound(self.label, commands)

    def _attributes(self, owner: str, key: str, mine, theirs) -> list[Command]:
        commands: list[Command] = []
        for attribute in theirs:
            existing = next((a for a in mine if a.key == attribute.key), None)
            if existing is None:
                fields = {
                    f.name: getattr(attribute, f.name)
                    for f in dataclasses.fields(attribute)
                    if f.name in ("choices", "required", "default", "guideline")
                }
                commands.append(
                    AddAttribute(
                        owner, key, attribute.key, attribute.label, attribute.value_type, **fields
                    )
                )
                self.added.append(f"attribute {key}.{attribute.key}")
                continue
            fields = {
                f: getattr(attribute, f)
                for f in ("label", "choices", "required", "default", "guideline")
                if getattr(attribute, f) != getattr(existing, f)
            }
            if fields:
                commands.append(EditAttribute(owner, key, attribute.key, **fields))
                self.updated.append(f"attribute {key}.{attribute.key}")
        return commands

    def apply(self, project: Project, session: WriteSession) -> ChangeSet:
        if self.compound is None:
            self.compound = self._plan(project)
        changes = ChangeSet(schema=True)
        for command in self.compound.commands:
            changes = changes.merge(command.apply(project, session))
            project.invalidate_schema()
        return changes

    def revert(self, project: Project, session: WriteSession) -> ChangeSet:
        assert self.compound is not None
        return self.compound.revert(project, session)

    def summary(self) -> str:
        if not self.added and not self.updated:
            return "schema already up to date"
        parts = []
        if self.added:
            parts.append("added " + ", ".join(self.added))
        if self.updated:
            parts.append("updated " + ", ".join(self.updated))
        return "; ".join(parts)
