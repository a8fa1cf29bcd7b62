"""Pure values and rules of the annotation model: no I/O, no Qt, no SQL."""
