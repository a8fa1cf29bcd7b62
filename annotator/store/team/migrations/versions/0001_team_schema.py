"""Team schema 1: the exchange model keyed by uuid, a change sequence, rights by row security.

Every table carries `seq`, set from one sequence by a trigger on every insert and update. The
trigger first takes a transaction-scoped advisory lock, so writing transactions run one after
another and sequence order is commit order: a pull that read up to seq N never misses a row
committed later with a smaller number. Rows name documents by text hash, schema items by key
and everything else by uuid, as a merge matches them. JSON columns stay text, byte for byte
what the project files hold (the merge compares them as text).
"""

from __future__ import annotations

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

GOLD = "00000000-0000-7000-8000-000000000001"  # annotator.domain.layers.GOLD_ANNOTATOR_UUID

TABLES = """
CREATE SEQUENCE team.change_seq AS bigint;

CREATE TABLE team.settings (
    id            integer PRIMARY KEY CHECK (id = 1),
    name          text NOT NULL,
    member_role   text NOT NULL,
    blind         boolean NOT NULL DEFAULT false,
    gold_released boolean NOT NULL DEFAULT false,
    seq           bigint NOT NULL DEFAULT 0
);
CREATE TABLE team.members (
    role_name      text PRIMARY KEY,
    annotator_uuid text NOT NULL UNIQUE,
    kind           text NOT NULL CHECK (kind IN ('annotator', 'curator', 'owner')),
    seq            bigint NOT NULL DEFAULT 0
);
CREATE TABLE team.annotators (
    uuid text PRIMARY KEY, name text NOT NULL, identifier text NOT NULL DEFAULT '',
    created text NOT NULL, modified text NOT NULL, seq bigint NOT NULL DEFAULT 0
);
CREATE TABLE team.tag_types (
    uuid text PRIMARY KEY, key text NOT NULL UNIQUE, label text NOT NULL, kind text NOT NULL,
    color text NOT NULL, hotkey text, guideline text NOT NULL DEFAULT '',
    position integer NOT NULL DEFAULT 0, created text NOT NULL, modified text NOT NULL,
    author_uuid text, seq bigint NOT NULL DEFAULT 0
);
CREATE TABLE team.link_types (
    uuid text PRIMARY KEY, key text NOT NULL UNIQUE, label text NOT NULL,
    directed integer NOT NULL DEFAULT 1, color text NOT NULL, guideline text NOT NULL DEFAULT '',
    position integer NOT NULL DEFAULT 0, created text NOT NULL, modified text NOT NULL,
    author_uuid text, sources text[] NOT NULL DEFAULT '{}', targets text[] NOT NULL DEFAULT '{}',
    seq bigint NOT NULL DEFAULT 0
);
CREATE TABLE team.attribute_defs (
    uuid text PRIMARY KEY, owner text NOT NULL CHECK (owner IN ('tag', 'link')),
    owner_key text NOT NULL, key text NOT NULL, label text NOT NULL, value_type text NOT NULL,
    choices text NOT NULL DEFAULT '[]', required integer NOT NULL DEFAULT 0,
    default_value text, guideline text NOT NULL DEFAULT '', position integer NOT NULL DEFAULT 0,
    created text NOT NULL, modified text NOT NULL, author_uuid text,
    seq bigint NOT NULL DEFAULT 0
);
CREATE TABLE team.documents (
    uuid text PRIMARY KEY, sha256 text NOT NULL UNIQUE, title text NOT NULL, text text NOT NULL,
    author text NOT NULL DEFAULT '', outlet text NOT NULL DEFAULT '', url text NOT NULL DEFAULT '',
    published text NOT NULL DEFAULT '', language text NOT NULL DEFAULT '',
    source_filename text NOT NULL DEFAULT '', source_encoding text NOT NULL DEFAULT '',
    extra text NOT NULL DEFAULT '{}', imported text NOT NULL, created text NOT NULL,
    modified text NOT NULL, author_uuid text, seq bigint NOT NULL DEFAULT 0
);
CREATE TABLE team.entities (
    uuid text PRIMARY KEY, name text NOT NULL, kind text NOT NULL DEFAULT '',
    aliases text NOT NULL DEFAULT '[]', external_ids text NOT NULL DEFAULT '{}',
    note text NOT NULL DEFAULT '', created text NOT NULL, modified text NOT NULL,
    author_uuid text, seq bigint NOT NULL DEFAULT 0
);
CREATE TABLE team.spans (
    uuid text PRIMARY KEY, document_sha text NOT NULL, annotator_uuid text NOT NULL,
    tag_key text NOT NULL, start integer NOT NULL, "end" integer NOT NULL,
    fragments integer[] NOT NULL, quote text NOT NULL, prefix text NOT NULL DEFAULT '',
    suffix text NOT NULL DEFAULT '', attributes text NOT NULL DEFAULT '{}',
    note text NOT NULL DEFAULT '', entity_uuid text, created text NOT NULL,
    modified text NOT NULL, seq bigint NOT NULL DEFAULT 0
);
CREATE TABLE team.links (
    uuid text PRIMARY KEY, document_sha text NOT NULL, link_type_key text NOT NULL,
    source_uuid text NOT NULL, target_uuid text NOT NULL, annotator_uuid text NOT NULL,
    attributes text NOT NULL DEFAULT '{}', note text NOT NULL DEFAULT '',
    created text NOT NULL, modified text NOT NULL, seq bigint NOT NULL DEFAULT 0
);
CREATE TABLE team.statuses (
    document_sha text NOT NULL, annotator_uuid text NOT NULL, uuid text NOT NULL,
    status text NOT NULL, modified text NOT NULL, seq bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (document_sha, annotator_uuid)
);
CREATE TABLE team.tombstones (
    uuid text PRIMARY KEY, kind text NOT NULL, deleted text NOT NULL, author_uuid text,
    seq bigint NOT NULL DEFAULT 0
);
CREATE TABLE team.history (
    uuid text PRIMARY KEY, object_uuid text NOT NULL, object_kind text NOT NULL,
    action text NOT NULL, summary text NOT NULL DEFAULT '', detail text NOT NULL DEFAULT '{}',
    annotator_uuid text, at text NOT NULL, seq bigint NOT NULL DEFAULT 0
);
CREATE TABLE team.decisions (
    document_sha text NOT NULL, unit_kind text NOT NULL, unit_key text NOT NULL,
    uuid text NOT NULL, verdict text NOT NULL, gold_uuid text, source_uuid text,
    source_annotator_uuid text, decided_by_uuid text, decided text NOT NULL,
    seq bigint NOT NULL DEFAULT 0, PRIMARY KEY (document_sha, unit_kind, unit_key)
);
CREATE TABLE team.assignments (
    document_sha text NOT NULL, annotator_uuid text NOT NULL, assigned text NOT NULL,
    assigned_by text, seq bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (document_sha, annotator_uuid)
);
"""

#: Every table with a change sequence (all of them).
SEQUENCED = (
    *("settings", "members", "annotators", "tag_types", "link_types", "attribute_defs"),
    *("documents", "entities", "spans", "links", "statuses", "tombstones", "history"),
    *("decisions", "assignments"),
)

FUNCTIONS = f"""
CREATE FUNCTION team.stamp() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(1095650895);  -- writers in turn: seq order is commit order
    NEW.seq := nextval('team.change_seq');
    RETURN NEW;
END $$;

-- The last change number handed out (a push notes the range its own rows took).
CREATE FUNCTION team.last_seq() RETURNS bigint LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog AS $$
    SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM team.change_seq $$;

CREATE FUNCTION team.me() RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog AS $$
    SELECT annotator_uuid FROM team.members WHERE role_name = session_user $$;

CREATE FUNCTION team.my_kind() RETURNS text LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog AS $$
    SELECT kind FROM team.members WHERE role_name = session_user $$;

CREATE FUNCTION team.is_blind() RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog AS $$
    SELECT coalesce((SELECT blind FROM team.settings WHERE id = 1), false) $$;

CREATE FUNCTION team.gold_released() RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = pg_catalog AS $$
    SELECT coalesce((SELECT gold_released FROM team.settings WHERE id = 1), false) $$;

CREATE FUNCTION team.is_curator() RETURNS boolean LANGUAGE sql STABLE
SET search_path = pg_catalog AS $$
    SELECT coalesce(team.my_kind() IN ('curator', 'owner'), false) $$;

CREATE FUNCTION team.is_owner() RETURNS boolean LANGUAGE sql STABLE
SET search_path = pg_catalog AS $$
    SELECT coalesce(team.my_kind() = 'owner', false) $$;

-- An annotator writes their own layer; a curator also the gold one; an owner every layer
-- (attaching a project pushes all of its layers).
CREATE FUNCTION team.may_write_layer(layer text) RETURNS boolean LANGUAGE sql STABLE
SET search_path = pg_catalog AS $$
    SELECT coalesce(layer = team.me(), false) OR team.is_owner()
        OR (layer = '{GOLD}' AND team.is_curator()) $$;

-- Blind: only my layer, plus gold once released; curators and owners see everything.
CREATE FUNCTION team.may_read_layer(layer text) RETURNS boolean LANGUAGE sql STABLE
SET search_path = pg_catalog AS $$
    SELECT NOT team.is_blind() OR coalesce(layer = team.me(), false) OR team.is_curator()
        OR (layer = '{GOLD}' AND team.gold_released()) $$;

-- A tombstone deletes: only what its author may delete (looked up past row security).
CREATE FUNCTION team.may_tombstone(object text, object_kind text, author text)
RETURNS boolean LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog AS $$
    SELECT team.is_owner() OR (coalesce(author = team.me(), false) AND CASE object_kind
        WHEN 'span' THEN coalesce((SELECT team.may_write_layer(annotator_uuid)
                                   FROM team.spans WHERE uuid = object), true)
        WHEN 'link' THEN coalesce((SELECT team.may_write_layer(annotator_uuid)
                                   FROM team.links WHERE uuid = object), true)
        WHEN 'entity' THEN team.is_curator()
            OR NOT EXISTS (SELECT 1 FROM team.entities WHERE uuid = object)
            OR EXISTS (SELECT 1 FROM team.entities WHERE uuid = object AND author_uuid = author)
        ELSE team.is_curator() AND object_kind <> 'document' END) $$;
"""


def _policies(table: str, read: str, write: str, *, delete: str | None = None) -> str:
    delete = write if delete is None else delete
    return f"""
ALTER TABLE team.{table} ENABLE ROW LEVEL SECURITY;
CREATE POLICY team_read ON team.{table} FOR SELECT USING ({read});
CREATE POLICY team_add ON team.{table} FOR INSERT WITH CHECK ({write});
CREATE POLICY team_change ON team.{table} FOR UPDATE USING ({write}) WITH CHECK ({write});
CREATE POLICY team_remove ON team.{table} FOR DELETE USING ({delete});
"""


POLICIES = (
    _policies("settings", "true", "team.is_owner()", delete="false")
    + _policies("members", "role_name = session_user OR team.is_curator()", "false")
    + _policies(
        "annotators",
        "true",
        f"uuid = team.me() OR team.is_owner() OR (uuid = '{GOLD}' AND team.is_curator())",
    )
    + "".join(
        _policies(t, "true", "team.is_owner()")
        for t in ("tag_types", "link_types", "attribute_defs", "documents")
    )
    + _policies("entities", "true", "team.me() IS NOT NULL", delete="team.is_curator()")
    + "".join(
        _policies(t, "team.may_read_layer(annotator_uuid)", "team.may_write_layer(annotator_uuid)")
        for t in ("spans", "links", "statuses")
    )
    + _policies(
        "tombstones",
        "NOT team.is_blind() OR team.is_curator() OR author_uuid = team.me() "
        "OR kind NOT IN ('span', 'link')",
        "team.may_tombstone(uuid, kind, author_uuid)",
    )
    + _policies(
        "history",
        "team.may_read_layer(coalesce(annotator_uuid, ''))",
        "team.may_write_layer(coalesce(annotator_uuid, ''))",
    )
    + _policies(
        "decisions",
        "NOT team.is_blind() OR team.is_curator() OR team.gold_released()",
        "team.is_curator()",
    )
    + _policies(
        "assignments", "annotator_uuid = team.me() OR team.is_curator()", "team.is_curator()"
    )
)


def upgrade() -> None:
    op.execute(TABLES)
    op.execute(FUNCTIONS)
    for table in SEQUENCED:
        op.execute(
            f"CREATE TRIGGER stamp BEFORE INSERT OR UPDATE ON team.{table} "
            "FOR EACH ROW EXECUTE FUNCTION team.stamp()"
        )
        op.execute(f"CREATE INDEX {table}_seq ON team.{table} (seq)")
    op.execute("CREATE INDEX spans_document ON team.spans (document_sha)")
    op.execute("CREATE INDEX history_object ON team.history (object_uuid)")
    op.execute(POLICIES)


def downgrade() -> None:
    op.execute("DROP SCHEMA team CASCADE")
