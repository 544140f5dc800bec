"""The result grid (model, view, delegate), the thumbnail loader and its cache, image
decoding, and the details pane.
"""
