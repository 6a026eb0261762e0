"""The career-choice check: item bank, interest types and answer scale (see `knowledge.check.bank`)."""
