"""Offline tools: the flask commands, content and catalogue checks, the terminal simulator."""
