"""Use cases: the operations a user performs, each one transaction returning a ChangeSet."""
