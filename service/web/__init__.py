"""Pages for people: the try-it page, listen pages, the health check and the usage page."""
