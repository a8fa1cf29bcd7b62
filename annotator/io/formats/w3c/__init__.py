"""W3C Web Annotation (JSON-LD): writer, reader and quote anchoring."""
