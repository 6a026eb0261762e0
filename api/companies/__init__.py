"""Companies of the region that offer apprenticeships and internships, and their API keys."""
