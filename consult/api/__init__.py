"""The read API under /api/v1 (JSON, OpenAPI 3) and the secretariat's API tokens."""
