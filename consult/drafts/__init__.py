"""Drafts: consultations, their numbered versions and the item tree."""
