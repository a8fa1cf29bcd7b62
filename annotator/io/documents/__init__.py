"""Document importers (text, HTML, Word, PDF, Markdown, RTF, EPUB, e-mail) and their registry."""
