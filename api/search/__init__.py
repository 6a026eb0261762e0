"""Full-text search over the knowledge: one index of documents (professions; topics and rules when
their knowledge is loaded), kept by the knowledge sync, searched with the database's own text
search (SQLite FTS5, PostgreSQL tsvector)."""
