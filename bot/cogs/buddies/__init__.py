"""Buddy pairing: commands, pairing DMs and their buttons."""
