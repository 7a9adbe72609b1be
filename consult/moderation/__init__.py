"""Moderation: the personal-data guard, the review queue, published input and public reports."""
