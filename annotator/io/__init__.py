"""Import and export formats: plain text, the JSON v1 exchange format, schema files."""
