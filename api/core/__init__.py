"""Settings, database session and error handling shared by every domain package."""
