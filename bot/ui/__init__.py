"""Shared views: their errors go to the same funnel as slash commands."""
