"""Pupils' saved searches and the alerts about new matching offers (docs/alerts.md)."""
