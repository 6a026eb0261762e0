"""Liveness and readiness of the API."""
