"""Thin async functions behind the GraphQL fields, and the request context."""
