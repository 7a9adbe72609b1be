"""Reference data the secretariat edits: regions, municipalities, health clusters, respondent types.

Nothing of it is code: the 2027 reform merges regions and replaces clusters with sundhedsråd.
"""
