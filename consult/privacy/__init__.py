"""A person's rights (access, erasure), retention and the legal pages (GDPR, issue 15)."""
