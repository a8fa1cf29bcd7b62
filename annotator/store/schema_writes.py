"""Row writes for the annotation schema: tag types, link types, attribute definitions."""

from __future__ import annotations

from sqlalchemy import Connection, delete, func, insert, select, update

from annotator.domain.model import AttributeDef, LinkType, TagType
from annotator.store import tables as t
from annotator.store.rows import dumps


class SchemaWrites:
    """Schema writes; mixed into a writable store session."""

    connection: Connection

    def _author_id(self, uuid: str | None) -> int | None:
        if uuid is None:
            return None
        a = t.annotators.c
        return self.connection.execute(select(a.id).where(a.uuid == uuid)).scalar()

    def _next_position(self, table) -> int:
        return (
            int(
                self.connection.execute(
                    select(func.coalesce(func.max(table.c.position), -1))
                ).scalar_one()
            )
            + 1
        )

    # -- tag types ---------------------------------------------------------------------------
    def insert_tag_type(self, tag: TagType, position: int | None = None) -> None:
        position = self._next_position(t.tag_types) if position is None else position
        result = self.connection.execute(
            insert(t.tag_types).values(
                uuid=tag.uuid,
                key=tag.key,
                label=tag.label,
                kind=tag.kind,
                color=tag.color,
                hotkey=tag.hotkey,
                guideline=tag.guideline,
                position=position,
                created=tag.created,
                modified=tag.modified,
                author_id=self._author_id(tag.author),
            )
        )
        tag_id = result.inserted_primary_key[0]
        for index, attribute in enumerate(tag.attributes):
            self._insert_attribute(attribute, index, tag_type_id=tag_id)

    def update_tag_type(self, tag: TagType) -> None:
        """Update label, kind, colour, hotkey, guideline (key and attributes are separate)."""
        tt = t.tag_types
        self.connection.execute(
            update(tt)
            .where(tt.c.uuid == tag.uuid)
            .values(
                key=tag.key,
                label=tag.label,
                kind=tag.kind,
                color=tag.color,
                hotkey=tag.hotkey,
                guideline=tag.guideline,
                modified=tag.modified,
            )
        )

    def tag_type_position(self, key: str) -> int:
        tt = t.tag_types.c
        return int(self.connection.execute(select(tt.position).where(tt.key == key)).scalar_one())

    def delete_tag_type(self, key: str) -> None:
        tt = t.tag_types
        self.connection.execute(delete(tt).where(tt.c.key == key))

    # -- link types --------------------------------------------------------------------------
    def insert_link_type(self, link_type: LinkType, position: int | None = None) -> None:
        position = self._next_position(t.link_types) if position is None else position
        result = self.connection.execute(
            insert(t.link_types).values(
                uuid=link_type.uuid,
                key=link_type.key,
                label=link_type.label,
                directed=int(link_type.directed),
                color=link_type.color,
                guideline=link_type.guideline,
                position=position,
                created=link_type.created,
                modified=link_type.modified,
                author_id=self._author_id(link_type.author),
            )
        )
        link_type_id = result.inserted_primary_key[0]
        self._write_endpoints(link_type_id, link_type)
        for index, attribute in enumerate(link_type.attributes):
            self._insert_attribute(attribute, index, link_type_id=link_type_id)

    def _write_endpoints(self, link_type_id: int, link_type: LinkType) -> None:
        ep = t.link_type_endpoints
        self.connection.execute(delete(ep).where(ep.c.link_type_id == link_type_id))
        tt = t.tag_types.c
        ids = dict(self.connection.execute(select(tt.key, tt.id)).all())
        values = [
            {"link_type_id": link_type_id, "role": role, "tag_type_id": ids[key]}
            for role, keys in (("source", link_type.sources), ("target", link_type.targets))
            for key in keys
        ]
        if values:
            self.connection.execute(insert(ep), values)

    def update_link_type(self, link_type: LinkType) -> None:
        lt = t.link_types
        self.connection.execute(
            update(lt)
            .where(lt.c.uuid == link_type.uuid)
            .values(
                key=link_type.key,
                label=link_type.label,
                directed=int(link_type.directed),
                color=link_type.color,
                guideline=link_type.guideline,
                modified=link_type.modified,
            )
        )
        link_type_id = self.connection.execute(
            select(lt.c.id).where(lt.c.uuid == link_type.uuid)
        ).scalar_one()
        self._write_endpoints(link_type_id, link_type)

    def link_type_position(self, key: str) -> int:
        lt = t.link_types.c
        return int(self.connection.execute(select(lt.position).where(lt.key == key)).scalar_one())

    def delete_link_type(self, key: str) -> None:
        lt = t.link_types
        self.connection.execute(delete(lt).where(lt.c.key == key))

    # -- attribute definitions ---------------------------------------------------------------
    def _insert_attribute(
        self,
        attribute: AttributeDef,
        position: int,
        *,
        tag_type_id: int | None = None,
        link_type_id: int | None = None,
    ) -> None:
        self.connection.execute(
            insert(t.attribute_defs).values(
                uuid=attribute.uuid,
                tag_type_id=tag_type_id,
                link_type_id=link_type_id,
                key=attribute.key,
                label=attribute.label,
                value_type=attribute.value_type,
                choices=dumps(list(attribute.choices)),
                required=int(attribute.required),
                default_value=None if attribute.default is None else dumps(attribute.default),
                guideline=attribute.guideline,
                position=position,
                created=attribute.created,
                modified=attribute.modified,
                author_id=self._author_id(attribute.author),
            )
        )

    def insert_attribute_def(
        self, owner: str, owner_key: str, attribute: AttributeDef, position: int | None = None
    ) -> None:
        """Add an attribute to the tag type (owner "tag") or link type (owner "link") owner_key."""
        table = t.tag_types if owner == "tag" else t.link_types
        owner_id = self.connection.execute(
            select(table.c.id).where(table.c.key == owner_key)
        ).scalar_one()
        column = "tag_type_id" if owner == "tag" else "link_type_id"
        if position is None:
            ad = t.attribute_defs
            position = (
                int(
                    self.connection.execute(
                        select(func.coalesce(func.max(ad.c.position), -1)).where(
                            ad.c[column] == owner_id
                        )
                    ).scalar_one()
                )
                + 1
            )
        self._insert_attribute(attribute, position, **{column: owner_id})

    def update_attribute_def(self, attribute: AttributeDef) -> None:
        ad = t.attribute_defs
        self.connection.execute(
            update(ad)
            .where(ad.c.uuid == attribute.uuid)
            .values(
                key=attribute.key,
                label=attribute.label,
                value_type=attribute.value_type,
                choices=dumps(list(attribute.choices)),
                required=int(attribute.required),
                default_value=None if attribute.default is None else dumps(attribute.default),
                guideline=attribute.guideline,
                modified=attribute.modified,
            )
        )

    def attribute_def_position(self, uuid: str) -> int:
        ad = t.attribute_defs.c
        return int(self.connection.execute(select(ad.position).where(ad.uuid == uuid)).scalar_one())

    def delete_attribute_def(self, uuid: str) -> None:
        ad = t.attribute_defs
        self.connection.execute(delete(ad).where(ad.c.uuid == uuid))
