"""The gateway's handlers: the hub (an event read from Kafka to the sockets that want
it; a client's frames) and the clients it serves."""

from services.gateway.handlers.client import Client
from services.gateway.handlers.hub import Hub

__all__ = ["Client", "Hub"]
