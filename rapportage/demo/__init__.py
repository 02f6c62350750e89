"""Demo data for Ontschot: an NPLV-like programme built through the services, and a
large portfolio for benchmarks built in bulk. Used by ``python manage.py demo`` only."""
