"""The secretariat's workspace: figures per goal, the input browser, tags, duplicates, replies."""
