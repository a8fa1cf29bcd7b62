-- Annotator project file: the canonical schema (version 5).
--
-- Conventions
--   * Every table is STRICT: a hostile file cannot smuggle text into an integer column.
--   * `id` is a local INTEGER PRIMARY KEY; `uuid` (UUIDv7 text) is the identity that travels
--     between project files (merge, JSON exchange). Code outside the store speaks uuids only.
--   * Times are ISO 8601 UTC text with milliseconds: 2026-11-28T13:55:00.000Z.
--   * Offsets are 0-based, end-exclusive, in Unicode code points of documents.text.
--   * JSON columns (attributes, choices, aliases, external_ids, extra) hold JSON text.
-- The SQLAlchemy mapping in annotator/store/tables.py is tested to match this file exactly.

PRAGMA application_id = 1095650895;  -- 0x414E4E4F, "ANNO"

CREATE TABLE project_info (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE annotators (
    id         INTEGER PRIMARY KEY,
    uuid       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    identifier TEXT NOT NULL DEFAULT '',
    created    TEXT NOT NULL,
    modified   TEXT NOT NULL
) STRICT;

CREATE TABLE tag_types (
    id        INTEGER PRIMARY KEY,
    uuid      TEXT NOT NULL UNIQUE,
    key       TEXT NOT NULL UNIQUE,
    label     TEXT NOT NULL,
    kind      TEXT NOT NULL CHECK (kind IN ('actor', 'event', 'claim', 'custom')),
    color     TEXT NOT NULL,
    hotkey    TEXT,
    guideline TEXT NOT NULL DEFAULT '',
    position  INTEGER NOT NULL DEFAULT 0,
    created   TEXT NOT NULL,
    modified  TEXT NOT NULL,
    author_id INTEGER REFERENCES annotators (id) ON DELETE SET NULL
) STRICT;

CREATE TABLE link_types (
    id        INTEGER PRIMARY KEY,
    uuid      TEXT NOT NULL UNIQUE,
    key       TEXT NOT NULL UNIQUE,
    label     TEXT NOT NULL,
    directed  INTEGER NOT NULL DEFAULT 1 CHECK (directed IN (0, 1)),
    color     TEXT NOT NULL,
    guideline TEXT NOT NULL DEFAULT '',
    position  INTEGER NOT NULL DEFAULT 0,
    created   TEXT NOT NULL,
    modified  TEXT NOT NULL,
    author_id INTEGER REFERENCES annotators (id) ON DELETE SET NULL
) STRICT;

-- Allowed endpoints of a link type. No row for a role means "any tag type".
CREATE TABLE link_type_endpoints (
    link_type_id INTEGER NOT NULL REFERENCES link_types (id) ON DELETE CASCADE,
    role         TEXT NOT NULL CHECK (role IN ('source', 'target')),
    tag_type_id  INTEGER NOT NULL REFERENCES tag_types (id) ON DELETE CASCADE,
    PRIMARY KEY (link_type_id, role, tag_type_id)
) STRICT;

-- Attribute definitions belong to exactly one tag type or one link type.
CREATE TABLE attribute_defs (
    id            INTEGER PRIMARY KEY,
    uuid          TEXT NOT NULL UNIQUE,
    tag_type_id   INTEGER REFERENCES tag_types (id) ON DELETE CASCADE,
    link_type_id  INTEGER REFERENCES link_types (id) ON DELETE CASCADE,
    key           TEXT NOT NULL,
    label         TEXT NOT NULL,
    value_type    TEXT NOT NULL
        CHECK (value_type IN ('choice', 'multi_choice', 'text', 'number', 'date', 'boolean')),
    choices       TEXT NOT NULL DEFAULT '[]',
    required      INTEGER NOT NULL DEFAULT 0 CHECK (required IN (0, 1)),
    default_value TEXT,
    guideline     TEXT NOT NULL DEFAULT '',
    position      INTEGER NOT NULL DEFAULT 0,
    created       TEXT NOT NULL,
    modified      TEXT NOT NULL,
    author_id     INTEGER REFERENCES annotators (id) ON DELETE SET NULL,
    CHECK ((tag_type_id IS NULL) <> (link_type_id IS NULL)),
    UNIQUE (tag_type_id, key),
    UNIQUE (link_type_id, key)
) STRICT;

CREATE TABLE documents (
    id              INTEGER PRIMARY KEY,
    uuid            TEXT NOT NULL UNIQUE,
    title           TEXT NOT NULL,
    text            TEXT NOT NULL,
    sha256          TEXT NOT NULL UNIQUE,
    author          TEXT NOT NULL DEFAULT '',
    outlet          TEXT NOT NULL DEFAULT '',
    url             TEXT NOT NULL DEFAULT '',
    published       TEXT NOT NULL DEFAULT '',
    language        TEXT NOT NULL DEFAULT '',
    source_filename TEXT NOT NULL DEFAULT '',
    source_encoding TEXT NOT NULL DEFAULT '',
    extra           TEXT NOT NULL DEFAULT '{}',
    imported        TEXT NOT NULL,
    created         TEXT NOT NULL,
    modified        TEXT NOT NULL,
    author_id       INTEGER REFERENCES annotators (id) ON DELETE SET NULL
) STRICT;

CREATE TABLE entities (
    id           INTEGER PRIMARY KEY,
    uuid         TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    kind         TEXT NOT NULL DEFAULT '',
    aliases      TEXT NOT NULL DEFAULT '[]',
    external_ids TEXT NOT NULL DEFAULT '{}',
    note         TEXT NOT NULL DEFAULT '',
    created      TEXT NOT NULL,
    modified     TEXT NOT NULL,
    author_id    INTEGER REFERENCES annotators (id) ON DELETE SET NULL
) STRICT;

-- A span's extent (start = first fragment start, end = last fragment end) is kept on the row
-- for overlap queries; the fragments themselves are in span_fragments.
CREATE TABLE spans (
    id           INTEGER PRIMARY KEY,
    uuid         TEXT NOT NULL UNIQUE,
    document_id  INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    annotator_id INTEGER NOT NULL REFERENCES annotators (id),
    tag_type_id  INTEGER NOT NULL REFERENCES tag_types (id),
    start        INTEGER NOT NULL CHECK (start >= 0),
    "end"        INTEGER NOT NULL CHECK ("end" > start),
    quote        TEXT NOT NULL,
    prefix       TEXT NOT NULL DEFAULT '',
    suffix       TEXT NOT NULL DEFAULT '',
    attributes   TEXT NOT NULL DEFAULT '{}',
    note         TEXT NOT NULL DEFAULT '',
    entity_id    INTEGER REFERENCES entities (id) ON DELETE SET NULL,
    created      TEXT NOT NULL,
    modified     TEXT NOT NULL
) STRICT;

CREATE INDEX spans_document_start ON spans (document_id, start);
CREATE INDEX spans_tag_type ON spans (tag_type_id);
CREATE INDEX spans_annotator ON spans (annotator_id);
CREATE INDEX spans_entity ON spans (entity_id);

CREATE TABLE span_fragments (
    span_id  INTEGER NOT NULL REFERENCES spans (id) ON DELETE CASCADE,
    ordinal  INTEGER NOT NULL CHECK (ordinal >= 0),
    start    INTEGER NOT NULL CHECK (start >= 0),
    "end"    INTEGER NOT NULL CHECK ("end" > start),
    PRIMARY KEY (span_id, ordinal)
) STRICT;

CREATE TABLE links (
    id             INTEGER PRIMARY KEY,
    uuid           TEXT NOT NULL UNIQUE,
    document_id    INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    link_type_id   INTEGER NOT NULL REFERENCES link_types (id),
    source_span_id INTEGER NOT NULL REFERENCES spans (id) ON DELETE CASCADE,
    target_span_id INTEGER NOT NULL REFERENCES spans (id) ON DELETE CASCADE,
    annotator_id   INTEGER NOT NULL REFERENCES annotators (id),
    attributes     TEXT NOT NULL DEFAULT '{}',
    note           TEXT NOT NULL DEFAULT '',
    created        TEXT NOT NULL,
    modified       TEXT NOT NULL,
    CHECK (source_span_id <> target_span_id)
) STRICT;

CREATE INDEX links_document ON links (document_id);
CREATE INDEX links_source ON links (source_span_id);
CREATE INDEX links_target ON links (target_span_id);

CREATE TABLE document_status (
    id           INTEGER PRIMARY KEY,
    uuid         TEXT NOT NULL UNIQUE,
    document_id  INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    annotator_id INTEGER NOT NULL REFERENCES annotators (id) ON DELETE CASCADE,
    status       TEXT NOT NULL CHECK (status IN ('new', 'in_progress', 'done')),
    modified     TEXT NOT NULL,
    UNIQUE (document_id, annotator_id)
) STRICT;

-- Deleted rows that travelled leave a tombstone so a merge never resurrects them.
CREATE TABLE tombstones (
    uuid      TEXT PRIMARY KEY NOT NULL,
    kind      TEXT NOT NULL
        CHECK (kind IN ('span', 'link', 'entity', 'document', 'tag_type', 'link_type',
                        'attribute_def', 'annotator')),
    deleted   TEXT NOT NULL,
    author_id INTEGER REFERENCES annotators (id) ON DELETE SET NULL
) STRICT;

-- Full-text index of documents (project search). External content: the text lives once, in
-- documents; the store adds, replaces and removes index rows with the documents it writes.
-- unicode61 with remove_diacritics 2 folds case and diacritics; prefix indexes serve "word*".
-- >>> version 3: prefix indexes of 1, 2 and 3 characters (version 2 had '2 3': a one-letter
-- prefix such as "o*" then merged the doclist of every word with that letter, twice per
-- search). Version 2's statement is ddl.CHANGED_IN_VERSION[3]; the upgrade rebuilds the index.
CREATE VIRTUAL TABLE documents_fts USING fts5(
    title, text,
    content = 'documents', content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '1 2 3'
);
-- <<< version 3

-- Provenance: who changed what, and when. One row per change of a travelling object.
CREATE TABLE history (
    id           INTEGER PRIMARY KEY,
    uuid         TEXT NOT NULL UNIQUE,
    object_uuid  TEXT NOT NULL,
    object_kind  TEXT NOT NULL
        CHECK (object_kind IN ('span', 'link', 'entity', 'document', 'document_status')),
    action       TEXT NOT NULL
        CHECK (action IN ('create', 'update', 'delete', 'restore', 'adjudicate', 'merge',
                          'import')),
    summary      TEXT NOT NULL DEFAULT '',
    detail       TEXT NOT NULL DEFAULT '{}',
    annotator_id INTEGER REFERENCES annotators (id) ON DELETE SET NULL,
    at           TEXT NOT NULL
) STRICT;

CREATE INDEX history_object ON history (object_uuid, at);

-- Every merge of another project file into this one, with its report (JSON).
CREATE TABLE merge_reports (
    id          INTEGER PRIMARY KEY,
    uuid        TEXT NOT NULL UNIQUE,
    merged      TEXT NOT NULL,
    source_name TEXT NOT NULL,
    source_uuid TEXT NOT NULL DEFAULT '',
    author_id   INTEGER REFERENCES annotators (id) ON DELETE SET NULL,
    report      TEXT NOT NULL DEFAULT '{}'
) STRICT;

-- Adjudication: one decision per unit of disagreement, written into the gold layer.
-- unit_key identifies the unit within its document (JSON text, stable across sessions);
-- gold_uuid is the gold span or link written (NULL when every version was rejected);
-- source_uuid / source_annotator_id: the version accepted (an edit: the one it started from).
CREATE TABLE decisions (
    id                  INTEGER PRIMARY KEY,
    uuid                TEXT NOT NULL UNIQUE,
    document_id         INTEGER NOT NULL REFERENCES documents (id) ON DELETE CASCADE,
    unit_kind           TEXT NOT NULL CHECK (unit_kind IN ('span', 'attribute', 'link')),
    unit_key            TEXT NOT NULL,
    verdict             TEXT NOT NULL CHECK (verdict IN ('accept', 'edit', 'reject')),
    gold_uuid           TEXT,
    source_uuid         TEXT,
    source_annotator_id INTEGER REFERENCES annotators (id) ON DELETE SET NULL,
    decided_by          INTEGER REFERENCES annotators (id) ON DELETE SET NULL,
    decided             TEXT NOT NULL,
    UNIQUE (document_id, unit_kind, unit_key)
) STRICT;

-- ---- Version 4: change counters (team sync) -------------------------------------------
-- How many times rows of each table a team sync pushes were inserted or updated, counted by
-- the triggers below (a deletion leaves a counted tombstone). A sync keeps the counts it
-- pushed at; a table whose count has not moved holds nothing new, so a sync with nothing to
-- do scans no table. The counts never travel (merge, exchange and sync leave them alone).
CREATE TABLE change_counters (
    table_name TEXT PRIMARY KEY NOT NULL,
    changes    INTEGER NOT NULL DEFAULT 0 CHECK (changes >= 0)
) STRICT;

INSERT INTO change_counters (table_name) VALUES
    ('annotators'), ('tag_types'), ('link_types'), ('attribute_defs'), ('documents'), ('entities'),
    ('spans'), ('links'), ('document_status'), ('tombstones'), ('history'), ('decisions');

CREATE TRIGGER annotators_counted_insert AFTER INSERT ON annotators BEGIN
    UPDATE change_counters SET changes = changes + 1 WHERE table_name = 'annotators';
END;
CREATE TRIGGER annotators_counted_update AFTER UPDATE ON annotators BEGIN
    UPDATE change_counters SET changes = changes + 1 WHERE table_name = 'annotators';
END;

CREATE TRIGGER tag_types_counted_insert AFTER INSERT ON tag_types BEGIN
    UPDATE change_counters SET changes = changes + 1 WHERE table_name = 'tag_types';
END;
CREATE TRIGGER tag_types_counted_update AFTER UPDATE ON tag_types BEGIN
    UPDATE change_counters SET changes = changes + 1 WHERE table_name = 'tag_types';
END;

CREATE TRIGGER link_types_counted_insert AFTER INSERT ON link_types BEGIN
    UPDATE change_counters SET changes = changes + 1 WHERE table_name = 'link_types';
END;
CREATE TRIGGER link_types_counted_update AFTER UPDATE ON link_types BEGIN
    UPDATE change_counters SET changes = changes + 1 WHERE table_name = 'link_types';
END;

CREATE TRIGGER attribute_defs_counted_insert AFTER INSERT ON attribute_defs BEGIN
    UPDATE change_counters SET changes = changes + 1 WHERE table_name = 'attribute_defs';
END;
CREATE TRIGGER attribute_defs_counted_update AFTER UPDATE ON attribute_defs BEGIN
    UPDATE change_counters SET changes = changes + 1 WHERE table_name = 'attribute_defs';
END;

CREATE TRIGGER documents_counted_insert AFTER INSERT ON documents BEGIN
    UPDATE change_counters SET changes = changes + 1 WHERE table_name = 'documents';
END;
CREATE TRIGGER documents_counted_update AFTER UPDATE ON documents BEGIN
    UPDATE change_counters SET changes = changes + 1 WHERE table_name = 'documents';
END;

CREATE TRIGGER entities_counted_insert AFTER INSERT ON entities BEGIN
    UPDATE change_counters SET changes = changes + 1 WHERE table_name = 'entities';
END;
CREATE TRIGGER entities_counted_update AFTER UPDATE ON entities BEGIN
    UPDATE change_counters SET changes = changes + 1 WHERE table_name = 'entities';
END;

CREATE TRIGGER spans_counted_insert AFTER INSERT ON spans BEGIN
    UPDATE change_counters SET changes = changes + 1 WHERE table_name = 'spans';
END;
CREATE TRIGGER spans_counted_update AFTER UPDATE ON spans BEGIN
    UPDATE change_counters SET changes = changes + 1 WHERE table_name = 'spans';
END;

CREATE TRIGGER links_counted_insert AFTER INSERT ON links BEGIN
    UPDATE change_counters SET changes = changes + 1 WHERE table_name = 'links';
END;
CREATE TRIGGER links_counted_update AFTER UPDATE ON links BEGIN
    UPDATE change_counters SET changes = changes + 1 WHERE table_name = 'links';
END;

CREATE TRIGGER document_status_counted_insert AFTER INSERT ON document_status BEGIN
    UPDATE change_counters SET changes = changes + 1 WHERE table_name = 'document_status';
END;
CREATE TRIGGER document_status_counted_update AFTER UPDATE ON document_status BEGIN
    UPDATE change_counters SET changes = changes + 1 WHERE table_name = 'document_status';
END;

CREATE TRIGGER tombstones_counted_insert AFTER INSERT ON tombstones BEGIN
    UPDATE change_counters SET changes = changes + 1 WHERE table_name = 'tombstones';
END;
CREATE TRIGGER tombstones_counted_update AFTER UPDATE ON tombstones BEGIN
    UPDATE change_counters SET changes = changes + 1 WHERE table_name = 'tombstones';
END;

CREATE TRIGGER history_counted_insert AFTER INSERT ON history BEGIN
    UPDATE change_counters SET changes = changes + 1 WHERE table_name = 'history';
END;
CREATE TRIGGER history_counted_update AFTER UPDATE ON history BEGIN
    UPDATE change_counters SET changes = changes + 1 WHERE table_name = 'history';
END;

CREATE TRIGGER decisions_counted_insert AFTER INSERT ON decisions BEGIN
    UPDATE change_counters SET changes = changes + 1 WHERE table_name = 'decisions';
END;
CREATE TRIGGER decisions_counted_update AFTER UPDATE ON decisions BEGIN
    UPDATE change_counters SET changes = changes + 1 WHERE table_name = 'decisions';
END;

-- ---- end of version 3 ------------------------------------------------------------------

-- ---- Version 5: analytics node keys ---------------------------------------------------
-- What the analytics views group spans by, per span: its normalised text's 64-bit hash
-- (domain/node_keys.py: white space and case folded, outer punctuation off), with copies of
-- the span's tag, annotator, document and entity so one index answers "mentions per node
-- under this filter" without reading the spans. Derived data, never travelling: the write
-- sessions add the row of every span they insert or change (store/span_keys.py); the
-- triggers drop a row whose span changed or went, so a missing row means "not computed"
-- (the views then fold the spans in Python) and a row present is never stale.
CREATE TABLE span_keys (
    span_id      INTEGER PRIMARY KEY,
    tag_type_id  INTEGER NOT NULL,
    annotator_id INTEGER NOT NULL,
    document_id  INTEGER NOT NULL,
    entity_id    INTEGER,
    text_hash    INTEGER NOT NULL
) STRICT;

CREATE INDEX span_keys_text ON span_keys (tag_type_id, text_hash, annotator_id, document_id)
    WHERE entity_id IS NULL;

CREATE TRIGGER span_keys_stale
AFTER UPDATE OF quote, tag_type_id, annotator_id, document_id, entity_id ON spans BEGIN
    DELETE FROM span_keys WHERE span_id = OLD.id;
END;
CREATE TRIGGER span_keys_gone AFTER DELETE ON spans BEGIN
    DELETE FROM span_keys WHERE span_id = OLD.id;
END;
-- ---- end of version 5 ------------------------------------------------------------------

PRAGMA user_version = 5;
