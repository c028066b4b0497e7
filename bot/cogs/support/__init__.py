"""Support requests, the listener bridge, peer flags and check-ons (issue #16)."""
