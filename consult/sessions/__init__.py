"""Moderated sessions: a facilitator records input live, participants confirm it afterwards."""
