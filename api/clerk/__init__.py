"""The company clerk's pages: profile, offers, contact requests, the BA import upload."""
