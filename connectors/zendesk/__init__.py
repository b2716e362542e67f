"""The Zendesk connector (`connector`), its payloads and its parts."""
