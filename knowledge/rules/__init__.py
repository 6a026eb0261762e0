"""The rules of training: short answers to general questions (see `knowledge.rules.catalogue`)."""
