"""Reporters: each turns Reports into text (`format(reports) -> str`), redacting every string it writes."""
