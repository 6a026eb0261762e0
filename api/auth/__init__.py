"""Who is calling: companies with their API keys, the action server with its service token."""
