"""Education monitoring for the district: privacy-first signals of what pupils ask about, and
statistics of interest next to supply with k-anonymity (docs/monitoring.md,
docs/monitoring_privacy.md)."""
