"""The read-only dashboard: web pages in Vietnamese over the public queries and events (no data of its own)."""
