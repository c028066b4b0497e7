"""Async use cases per feature: repositories + domain rules + a clock. No discord."""
