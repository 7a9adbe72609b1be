"""Accounts: registration, sign-in, sessions, roles."""
