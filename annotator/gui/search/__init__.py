"""Project search and "annotate all occurrences": the Search panel and the suggestions panel."""
