"""Importing offers from outside sources (the Bundesagentur für Arbeit's job search)."""
