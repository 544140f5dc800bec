"""Small parts every feature uses: background tasks, the message banner, settings and the
proxy choice.
"""
