"""The 38 Bing markets accepted by ``mkt``, in Bing's documented order."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Market:
    code: str
    english: str
    native: str

    @property
    def label(self) -> str:
        """Readable label, e.g. ``Argentina (Spanish) - es-AR``."""
        return f"{self.english} - {self.code}"

    @property
    def search_text(self) -> str:
        """Everything a user might type to find this market."""
        return f"{self.english} {self.native} {self.code}".casefold()


MARKETS: tuple[Market, ...] = (
    Market("es-AR", "Argentina (Spanish)", "Argentina (español)"),
    Market("en-AU", "Australia (English)", "Australia (English)"),
    Market("de-AT", "Austria (German)", "Österreich (Deutsch)"),
    Market("nl-BE", "Belgium (Dutch)", "België (Nederlands)"),
    Market("fr-BE", "Belgium (French)", "Belgique (français)"),
    Market("pt-BR", "Brazil (Portuguese)", "Brasil (português)"),
    Market("en-CA", "Canada (English)", "Canada (English)"),
    Market("fr-CA", "Canada (French)", "Canada (français)"),
    Market("es-CL", "Chile (Spanish)", "Chile (español)"),
    Market("da-DK", "Denmark (Danish)", "Danmark (dansk)"),
    Market("fi-FI", "Finland (Finnish)", "Suomi (suomi)"),
    Market("fr-FR", "France (French)", "France (français)"),
    Market("de-DE", "Germany (German)", "Deutschland (Deutsch)"),
    Market("zh-HK", "Hong Kong SAR (Traditional Chinese)", "香港特別行政區 (繁體中文)"),
    Market("en-IN", "India (English)", "India (English)"),
    Market("en-ID", "Indonesia (English)", "Indonesia (English)"),
    Market("it-IT", "Italy (Italian)", "Italia (italiano)"),
    Market("ja-JP", "Japan (Japanese)", "日本 (日本語)"),
    Market("ko-KR", "Korea (Korean)", "대한민국 (한국어)"),
    Market("en-MY", "Malaysia (English)", "Malaysia (English)"),
    Market("es-MX", "Mexico (Spanish)", "México (español)"),
    Market("nl-NL", "Netherlands (Dutch)", "Nederland (Nederlands)"),
    Market("en-NZ", "New Zealand (English)", "New Zealand (English)"),
    Market("no-NO", "Norway (Norwegian)", "Norge (norsk)"),
    Market("zh-CN", "China (Simplified Chinese)", "中国 (简体中文)"),
    Market("pl-PL", "Poland (Polish)", "Polska (polski)"),
    Market("en-PH", "Philippines (English)", "Philippines (English)"),
    Market("ru-RU", "Russia (Russian)", "Россия (русский)"),
    Market("en-ZA", "South Africa (English)", "South Africa (English)"),
    Market("es-ES", "Spain (Spanish)", "España (español)"),
    Market("sv-SE", "Sweden (Swedish)", "Sverige (svenska)"),
    Market("fr-CH", "Switzerland (French)", "Suisse (français)"),
    Market("de-CH", "Switzerland (German)", "Schweiz (Deutsch)"),
    Market("zh-TW", "Taiwan (Traditional Chinese)", "台灣 (繁體中文)"),
    Market("tr-TR", "Türkiye (Turkish)", "Türkiye (Türkçe)"),
    Market("en-GB", "United Kingdom (English)", "United Kingdom (English)"),
    Market("en-US", "United States (English)", "United States (English)"),
    Market("es-US", "United States (Spanish)", "Estados Unidos (español)"),
)

_BY_KEY = {m.code.casefold(): m for m in MARKETS}
DEFAULT_MARKET = "en-US"


def find_market(code: str) -> Market | None:
    """Look a market up case-insensitively (``EN-us`` finds ``en-US``)."""
    return _BY_KEY.get(code.strip().replace("_", "-").casefold())


def market_for_locale(locale_name: str | None) -> str:
    """Best market for a system locale such as ``de_CH.UTF-8`` or ``fr``.

    An exact language+country match wins; otherwise the first market of that
    language (Bing's order puts the language's home market early enough), and
    finally en-US.
    """
    if not locale_name:
        return DEFAULT_MARKET
    name = locale_name.split(".")[0].split("@")[0].replace("_", "-")
    exact = find_market(name)
    if exact is not None:
        return exact.code
    language = name.split("-")[0].casefold()
    preferred = {"en": "en-US", "es": "es-ES", "fr": "fr-FR", "de": "de-DE", "nl": "nl-NL",
                 "pt": "pt-BR", "zh": "zh-CN", "nb": "no-NO", "nn": "no-NO"}
    if language in preferred:
        return preferred[language]
    for market in MARKETS:
        if market.code.split("-")[0].casefold() == language:
            return market.code
    return DEFAULT_MARKET
