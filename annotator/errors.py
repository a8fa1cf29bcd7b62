"""The exception hierarchy: every error a user can meet has a one-line message."""


class AnnotatorError(Exception):
    """Base of every error the application reports to a user (one line, no traceback)."""


class ValidationError(AnnotatorError):
    """A requested change breaks a rule of the model (offsets, schema, references)."""


class NotFoundError(AnnotatorError):
    """A uuid or key does not name anything in the project."""


class ProjectFileError(AnnotatorError):
    """A project file cannot be opened or created; the message says why."""


class NotAProjectError(ProjectFileError):
    """The file is not an SQLite database, or not an Annotator project."""


class CorruptProjectError(ProjectFileError):
    """SQLite's quick_check found damage in the file."""


class NewerVersionError(ProjectFileError):
    """The file was written by a newer Annotator than this one."""


class HostileSchemaError(ProjectFileError):
    """The file holds schema objects (triggers, views, tables) that Annotator did not create."""


class InvalidContentError(ProjectFileError):
    """The file's rows break the model: offsets outside the text, quotes that differ, ..."""


class IncomingRowsError(InvalidContentError):
    """Rows of a file to merge break the model; `errors` lists each "where: what" problem, and
    the message is the first of them with how many more."""

    def __init__(self, name: str, errors: list[str]) -> None:
        self.errors = errors
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        super().__init__(f"{name}: nothing was merged: {errors[0]}{more}")


class ProjectLockedError(ProjectFileError):
    """Another Annotator process has this project open."""


class MigrationError(ProjectFileError):
    """Upgrading an older file failed; the file was left as it was."""


class CheckIncompleteError(ProjectFileError):
    """The open checklist did not finish: the file was neither opened nor judged damaged."""


class CheckTimeoutError(CheckIncompleteError):
    """The open checklist ran out of the time it was given (never reported as damage)."""


class CheckCancelledError(CheckIncompleteError):
    """The user cancelled the open checklist."""


class InputRefused(ValidationError):
    """An input file (an import, an added document, an archive) is damaged, hostile or over a
    limit; the message is one line naming the file and why. Importers turn every error that
    bad input makes a parsing library raise into this (or a subclass), never a traceback."""
