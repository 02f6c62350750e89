"""Wiring for Ontschot: settings, root URLs, the API root and the django-q2 configuration."""
