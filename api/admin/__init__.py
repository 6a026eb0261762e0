"""The admin's pages for the exchange: verifying and suspending companies, and the audit log."""
