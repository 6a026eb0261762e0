"""Job profiles, controlled vocabularies and regional facts, with their schema, loader, validator
and matcher. Imports nothing else of the project; needs only the standard library and PyYAML."""
