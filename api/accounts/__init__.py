"""Accounts of the people who work with Berufslotse (advisors, the district office, admins, company
clerks): sign-in by password or one-time link, server-side sessions, CSRF, roles (docs/accounts.md)."""
