"""Sign-off: the parties that approve the memo and the final draft, and their decisions."""
