"""Responses: who answers, their response to a consultation, and their input on each item."""
