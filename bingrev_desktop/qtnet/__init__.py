"""Networking through Qt's own stack (not UI): the thumbnail fetcher."""
