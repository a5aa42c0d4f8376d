"""The production shape on one machine: PostgreSQL, Redis, replicas and nginx on loopback."""
