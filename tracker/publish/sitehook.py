"""The MkDocs hook `tracker site` writes beside mkdocs.yml (as hooks.py): it sanitises every page's HTML.

The Markdown pages already escape what records hold, so this is the second lock: MkDocs passes each page's HTML
through the nh3 sanitiser (ammonia's allow-list) before the theme wraps it, keeping only the tags and attributes
Markdown produces and links to http, https, mailto or relative addresses. This file is copied as it is and must
import nothing but nh3, which is installed with tracker.
"""

from __future__ import annotations

from typing import Any

import nh3

TAGS = {"a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
        "img", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead",
        "tr", "ul", "span"}
ATTRIBUTES = {"*": {"id", "title", "class"}, "a": {"href"}, "img": {"src", "alt"}, "ol": {"start"}, "td": {"style"},
              "th": {"style"}}
SCHEMES = {"http", "https", "mailto"}


def on_page_content(html: str, **_: Any) -> str:
    """The page's HTML with anything a record could use to run a script removed."""
    return str(nh3.clean(html, tags=TAGS, attributes=ATTRIBUTES, url_schemes=SCHEMES, link_rel=None,
                         filter_style_properties={"text-align"}))
