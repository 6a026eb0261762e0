"""The audit log: who did what to a company, its offers and its contact requests, and when."""
