"""The posts service's commands and reads: posts and accounts (``posts``), private
conversations (``conversations``)."""

from services.posts.handlers.conversations import ConversationHandlers
from services.posts.handlers.mail import MailHandlers
from services.posts.handlers.moderation import ModerationHandlers
from services.posts.handlers.posts import Granted, Handlers, Limits, SessionPolicy

__all__ = [
    "ConversationHandlers", "Granted", "Handlers", "Limits", "MailHandlers", "ModerationHandlers",
    "SessionPolicy",
]  # fmt: skip
