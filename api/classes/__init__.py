"""Class sessions: an advisor's lesson with Berufslotse, the pupils who joined it by its code, and
the anonymous overview of the class (docs/classes.md)."""
