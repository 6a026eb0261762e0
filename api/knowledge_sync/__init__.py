"""Loading knowledge/ into the database: the only writer of professions, places and pay."""
