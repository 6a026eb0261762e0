"""Deleting everything about one conversation, at the pupil's request."""
