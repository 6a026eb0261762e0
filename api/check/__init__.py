"""The career-choice check: item bank, scoring, matching occupations to interests, the result
chart, pseudonymous records of completed checks and their statistics."""
