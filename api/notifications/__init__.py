"""Email to companies through a configurable SMTP server; texts in template files."""
