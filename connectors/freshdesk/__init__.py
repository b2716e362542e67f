"""The Freshdesk connector (`connector`), its payloads and its parts."""
