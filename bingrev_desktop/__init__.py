"""bingrev-desktop: reverse image search on Bing through the xcrawl SERP API."""

__version__ = "0.1.0"
APP_NAME = "bingrev-desktop"
APP_DISPLAY_NAME = "Bing Reverse Image Search"
APP_ID = "io.github.bingrev.Desktop"
ORG_NAME = "bingrev"
