"""Apprenticeships, dual study places, internships and Praktikumswoche days: search and management."""
