"""Numbered migrations of the team schema."""
