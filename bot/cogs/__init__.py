"""Thin adapters from Discord interactions to services.

Each cog, view and button gets its collaborators from the composition root (``bot/composition.py``).
"""
