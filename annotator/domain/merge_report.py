"""MergeReport: what merging another project file added, updated, deleted, skipped and why."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from annotator.domain.wording import counted

#: Example uuids kept per count, and conflict lines kept in full (the counts stay exact).
EXAMPLES_PER_COUNT = 5
MAX_CONFLICT_LINES = 200
BUCKETS = ("added", "updated", "deleted", "skipped")


@dataclass
class MergeReport:
    """Counts by bucket and kind ("spans", "spans: deleted in one of the files", ...), with
    a few example uuids per count, and one line per conflict."""

    source: str = ""
    source_uuid: str = ""
    merged: str = ""
    backup: str = ""
    added: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)
    conflicts: list[str] = field(default_factory=list)
    conflict_count: int = 0

    def count(self, bucket: str, kind: str, n: int = 1, example: str | None = None) -> None:
        if n <= 0:
            return
        target: dict[str, int] = getattr(self, bucket)
        target[kind] = target.get(kind, 0) + n
        if example is not None:
            kept = self.examples.setdefault(f"{bucket} {kind}", [])
            if len(kept) < EXAMPLES_PER_COUNT:
                kept.append(example)

    def conflict(self, line: str) -> None:
        self.conflict_count += 1
        if len(self.conflicts) < MAX_CONFLICT_LINES:
            self.conflicts.append(line)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.deleted)

    def total(self, bucket: str) -> int:
        return sum(getattr(self, bucket).values())

    def summary(self) -> str:
        """Several lines of plain text, for the CLI and the report dialog."""

        def fmt(counts: dict[str, int]) -> str:
            return ", ".join(f"{n} {counted(k, n)}" for k, n in sorted(counts.items())) or "nothing"

        lines = [
            f"merged {self.source or 'a project file'}"
            + (f" at {self.merged}" if self.merged else "")
        ]
        lines += [f"{bucket}: {fmt(getattr(self, bucket))}" for bucket in BUCKETS]
        lines += [f"conflict: {line}" for line in self.conflicts]
        if self.conflict_count > len(self.conflicts):
            lines.append(f"… and {self.conflict_count - len(self.conflicts)} more conflicts")
        if self.backup:
            lines.append(f"backup of the project before the merge: {self.backup}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Any) -> MergeReport:
        """Read a stored report back. Reports travel with merged files, so every field is
        checked; what does not fit (or a newer Annotator's extra keys) is left out."""
        report = cls()
        if not isinstance(data, dict):
            return report
        for name in ("source", "source_uuid", "merged", "backup"):
            if isinstance(data.get(name), str):
                setattr(report, name, data[name])
        for bucket in BUCKETS:
            counts = data.get(bucket)
            if isinstance(counts, dict):
                setattr(report, bucket, {str(k): v for k, v in counts.items() if type(v) is int})
        examples = data.get("examples")
        if isinstance(examples, dict):
            report.examples = {
                str(k): [x for x in v if isinstance(x, str)][:EXAMPLES_PER_COUNT]
                for k, v in examples.items()
                if isinstance(v, list)
            }
        conflicts = data.get("conflicts")
        if isinstance(conflicts, list):
            report.conflicts = [c for c in conflicts if isinstance(c, str)][:MAX_CONFLICT_LINES]
        count = data.get("conflict_count")
        report.conflict_count = count if type(count) is int else len(report.conflicts)
        return report
