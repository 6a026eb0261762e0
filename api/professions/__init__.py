"""Occupations: the job profiles pupils ask about, with search and filters."""
