"""One delivery engine for everything Haven sends (no discord here; handlers live in the cogs)."""

from bot.delivery.engine import DeliveryEngine, Handler

__all__ = ["DeliveryEngine", "Handler"]
