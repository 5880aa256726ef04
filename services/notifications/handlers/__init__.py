"""The notifications service's handlers: one module per kind of caller (events from
Kafka, a member's inbox, a partner's webhooks, the delivery of one webhook), one method
per command or event."""

from services.notifications.handlers.deliveries import DeliveryHandlers
from services.notifications.handlers.events import EventHandlers
from services.notifications.handlers.inbox import InboxHandlers, InboxItems
from services.notifications.handlers.webhooks import RotatedSecret, WebhookHandlers

__all__ = [
    "DeliveryHandlers",
    "EventHandlers",
    "InboxHandlers",
    "InboxItems",
    "RotatedSecret",
    "WebhookHandlers",
]
