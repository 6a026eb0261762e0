"""Demo data: a seeded, clearly marked, plausible set of companies and offers for the region."""
