"""The Gorgias connector (`connector`), its payloads and its parts."""
