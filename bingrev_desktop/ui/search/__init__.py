"""Getting an image in and searching it: the address, drops, the preview and crop, the
market, and the search controller.
"""
