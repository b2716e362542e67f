"""Each platform's attachments, as listed with the messages, reach the ticket's messages."""

from __future__ import annotations

from typing import Any

from connectors.fields import attachments
from connectors.freshdesk import payloads as freshdesk
from connectors.gorgias import payloads as gorgias
from connectors.zendesk import payloads as zendesk
from core.models import Attachment, Message

PHOTO = Attachment(name="broken.jpg", content_type="image/jpeg", size=48213,
                   url="https://files.example/broken.jpg")


def test_zendesk_comment_attachments() -> None:
    raw = {"id": 1, "author_id": 9, "public": True, "plain_body": "See photo",
           "created_at": "2024-05-02T09:00:00Z",
           "attachments": [{"file_name": "broken.jpg", "content_type": "image/jpeg",
                            "size": 48213, "content_url": "https://files.example/broken.jpg"}]}
    message: Message = zendesk._message(raw, {}, "1", "9")
    assert message.attachments == (PHOTO,)


def test_freshdesk_conversation_attachments() -> None:
    raw = {"id": 2, "user_id": 9, "body_text": "See photo", "created_at": "2024-05-02T09:00:00Z",
           "attachments": [{"name": "broken.jpg", "content_type": "image/jpeg", "size": 48213,
                            "attachment_url": "https://files.example/broken.jpg"}]}
    assert freshdesk._message(raw, "1", "9").attachments == (PHOTO,)


def test_gorgias_message_attachments() -> None:
    raw = {"id": 3, "sender": {"id": 9}, "from_agent": False, "body_text": "See photo",
           "created_datetime": "2024-05-02T09:00:00Z",
           "attachments": [{"name": "broken.jpg", "content_type": "image/jpeg", "size": 48213,
                            "url": "https://files.example/broken.jpg"}]}
    assert gorgias._message(raw, "1").attachments == (PHOTO,)


def test_odd_entries_are_left_out_or_kept_without_the_odd_part() -> None:
    raw: list[Any] = ["x", {"name": ""}, {"name": "a.pdf", "size": "12", "url": "javascript:x"},
                      {"name": "b.txt", "size": True}]
    assert attachments(raw, "url") == (Attachment(name="a.pdf"), Attachment(name="b.txt"))
    assert attachments(None, "url") == ()
