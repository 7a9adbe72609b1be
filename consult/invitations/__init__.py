"""The høringsliste: the organisations invited to respond, who has answered, reminders."""
