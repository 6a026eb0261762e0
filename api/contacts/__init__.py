"""Contact requests: a pupil asks a company, with consent, to get in touch about an offer."""
