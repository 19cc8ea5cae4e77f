"""Business logic. Services flush; the request or job commits once."""
