"""Operating the platform: backup and restore (``flask consult backup|restore``)."""
