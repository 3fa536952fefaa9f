"""Tracker networks (torch): three families sharing one head and one loss, built from architecture dicts."""
