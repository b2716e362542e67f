"""Reports rendered for the terminal, JSON and HTML."""
