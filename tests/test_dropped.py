from __future__ import annotations

import pytest

from bingrev_desktop.core.dropped import (
    img_src_from_html,
    pick_dropped_url,
    unwrap_wrapper_url,
    url_from_text,
)


def test_html_img_wins_over_link() -> None:
    markup = '<a href="https://site.org/page"><img src="https://cdn.site.org/p.jpg" alt=x></a>'
    assert pick_dropped_url(html_text=markup, uri_list="https://site.org/page") == (
        "https://cdn.site.org/p.jpg"
    )


def test_relative_img_src_uses_base() -> None:
    markup = '<base href="https://a.org/dir/"><img src="../i.png">'
    assert img_src_from_html(markup) == "https://a.org/i.png"


def test_entities_unescaped() -> None:
    assert img_src_from_html('<img src="https://a.org/i?a=1&amp;b=2">') == "https://a.org/i?a=1&b=2"


@pytest.mark.parametrize(
    ("wrapped", "inner"),
    [
        ("https://www.bing.com/images/search?view=detailV2&mediaurl=https%3a%2f%2fx.org%2fa.jpg",
         "https://x.org/a.jpg"),
        ("https://www.google.com/imgres?imgurl=https%3A%2F%2Fy.org%2Fb.png&imgrefurl=z",
         "https://y.org/b.png"),
        ("https://plain.org/c.png", "https://plain.org/c.png"),
        ("https://bing.com/?mediaurl=javascript:alert(1)", "https://bing.com/?mediaurl=javascript:alert(1)"),
    ],
)
def test_unwrap(wrapped: str, inner: str) -> None:
    assert unwrap_wrapper_url(wrapped) == inner


def test_order_uri_list_then_moz_then_text() -> None:
    assert pick_dropped_url(uri_list="# c\nhttps://a.org/1.png\nhttps://a.org/2.png",
                            moz_url="https://b.org/x.png\nTitle",
                            plain_text="https://c.org/y.png") == "https://a.org/1.png"
    assert pick_dropped_url(moz_url="https://b.org/x.png\nTitle",
                            plain_text="https://c.org/y.png") == "https://b.org/x.png"
    assert pick_dropped_url(plain_text="see https://c.org/y.png please") == "https://c.org/y.png"
    assert pick_dropped_url() is None


def test_text_keeps_non_http_for_explaining() -> None:
    assert url_from_text("file:///tmp/a.png") == "file:///tmp/a.png"
    assert url_from_text("data:image/png;base64,AAA") == "data:image/png;base64,AAA"
    assert url_from_text("   ") is None


@pytest.mark.parametrize(
    ("markup", "uri_list", "full"),
    [
        # a thumbnail linked to its full-size image
        ('<a href="https://site.org/full.png"><img src="https://site.org/thumb.png"></a>',
         "https://site.org/full.png", "https://site.org/full.png"),
        ('<a href="/pics/FULL.JPEG?v=2"><img src="/pics/t.jpg"></a>', None, None),
        # Bing's own result: the link's mediaurl= holds the full image
        ('<a href="https://www.bing.com/images/search?view=detailV2&amp;mediaurl='
         'https%3A%2F%2Fx.org%2Fbig.jpg&amp;exph=800"><img src="https://tse1.mm.bing.net/th?id=OIP.a"></a>',
         None, "https://x.org/big.jpg"),
        # Google images: imgurl=
        ('<a href="https://www.google.com/imgres?imgurl=https://y.org/b.webp&imgrefurl=https://y.org/">'
         '<img src="https://encrypted-tbn0.gstatic.com/images?q=tbn:1"></a>', None,
         "https://y.org/b.webp"),
        # Yandex: img_url=
        ('<a href="https://yandex.com/images/search?img_url=https%3A%2F%2Fz.org%2Fc.png&pos=1">'
         '<img src="https://avatars.mds.yandex.net/i?id=1"></a>', None, "https://z.org/c.png"),
    ],
)
def test_a_linked_thumbnail_searches_the_full_image(markup: str, uri_list: str | None,
                                                    full: str | None) -> None:
    from bingrev_desktop.core.dropped import pick_dropped

    dropped = pick_dropped(html_text=markup, uri_list=uri_list)
    assert dropped is not None
    if full is None:  # relative link without a base: the page's address is unknown
        assert dropped.url.endswith("/pics/t.jpg") and not dropped.full_size_from_link
        return
    assert dropped.url == full
    assert dropped.full_size_from_link


def test_a_thumbnail_linked_to_a_page_searches_the_thumbnail() -> None:
    from bingrev_desktop.core.dropped import pick_dropped

    markup = '<a href="https://news.org/story"><img src="https://news.org/t.jpg"></a>'
    dropped = pick_dropped(html_text=markup, uri_list="https://news.org/story")
    assert dropped is not None
    assert dropped.url == "https://news.org/t.jpg"
    assert not dropped.full_size_from_link
