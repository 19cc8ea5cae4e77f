"""Persistence: models, engine, queries, dataloaders, the embedded PostgreSQL."""
