"""A real headless Chromium for tests: found, or installed from Debian when the machine allows it."""

from __future__ import annotations

import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]


def chromium() -> str:
    """The Chromium binary; installed with apt-get when missing (the test environment runs as root)."""
    found = shutil.which("chromium") or (CHROMIUM if Path(CHROMIUM).exists() else None)
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.fail("chromium is not installed and cannot be installed here: run `apt-get install -y chromium` as root")
    subprocess.run(["apt-get", "update"], check=True, capture_output=True)
    subprocess.run(["apt-get", "install", "-y", "chromium"], check=True, capture_output=True,
                   env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    return CHROMIUM


def dump_dom(page: Path, profile: Path) -> str:
    """The page's DOM after Chromium has loaded it and run its scripts."""
    done = subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
                          check=True, capture_output=True, text=True, timeout=120)
    return done.stdout


def screenshot(page: Path, target: Path, profile: Path, size: str = "1280,1800") -> None:
    subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile}", "--hide-scrollbars", f"--window-size={size}",
                    f"--screenshot={target}", page.as_uri()], check=True, capture_output=True, timeout=120)


def print_to_pdf(page: Path, target: Path, profile: Path) -> bytes:
    """The page as Chromium prints it (its print stylesheet and @page size applied), as PDF bytes."""
    subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile}", "--no-pdf-header-footer",
                    f"--print-to-pdf={target}", page.as_uri()], check=True, capture_output=True, timeout=120)
    return target.read_bytes()


class Tables(HTMLParser):
    """Every table of a page as (headers, rows of cell texts), plus the text of every script element; for each body
    row, its links (href, text) cell by cell and whether it holds an element of class "overdue"; every image
    (src, alt) and every <link> element's attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[tuple[list[str], list[list[str]]]] = []
        self.row_links: list[list[list[list[tuple[str, str]]]]] = []
        self.row_marked: list[list[bool]] = []
        self.scripts: list[str] = []
        self.images: list[tuple[str, str]] = []
        self.head_links: list[dict[str, str]] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._links: list[list[tuple[str, str]]] = []
        self._marked = False
        self._href: str | None = None
        self._link_text: list[str] = []
        self._in_head = False
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = {key: value or "" for key, value in attrs}
        if "overdue" in named.get("class", "").split() and self._row is not None:
            self._marked = True
        if tag == "img":
            self.images.append((named.get("src", ""), named.get("alt", "")))
        elif tag == "link":
            self.head_links.append(named)
        elif tag == "a" and self._cell is not None:
            self._href, self._link_text = named.get("href", ""), []
        if tag == "table":
            self.tables.append(([], []))
            self.row_links.append([])
            self.row_marked.append([])
        elif tag == "thead":
            self._in_head = True
        elif tag == "tbody":
            self._in_head = False
        elif tag == "tr":
            self._row, self._links, self._marked = [], [], False
        elif tag in ("td", "th"):
            self._cell = []
            self._links.append([])
        elif tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None and self._links:
            self._links[-1].append((self._href, " ".join("".join(self._link_text).split())))
            self._href = None
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None and self.tables:
            headers, rows = self.tables[-1]
            if self._in_head:
                headers.extend(self._row)
            else:
                rows.append(self._row)
                self.row_links[-1].append(self._links)
                self.row_marked[-1].append(self._marked)
            self._row = None
        elif tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._href is not None:
            self._link_text.append(data)
        if self._in_script:
            self.scripts[-1] += data


def parse(dom: str) -> Tables:
    parser = Tables()
    parser.feed(dom)
    return parser


# Run in the page after everything else: lists every element a browser would let run script (an on* attribute)
# or navigate to a script (a javascript:, data: or vbscript: address), clicks every link to such an address, and
# writes what it found on <html>, where --dump-dom shows it. A payload that ran sets data-pwned, window.__pwned
# or the title.
HARNESS = """<script>
window.addEventListener("load", function () {
  var unsafe = [];
  var names = ["href", "src", "action", "formaction", "data", "poster", "background", "xlink:href"];
  document.querySelectorAll("*").forEach(function (element) {
    for (var i = 0; i < element.attributes.length; i++) {
      if (/^on/i.test(element.attributes[i].name)) { unsafe.push(element.tagName + "[" + element.attributes[i].name + "]"); }
    }
    names.forEach(function (name) {
      var value = element.getAttribute(name);
      if (value === null) { return; }
      var url;
      try { url = new URL(value, document.baseURI); } catch (error) { return; }
      if (!/^(https?|mailto|file):$/.test(url.protocol)) { unsafe.push(element.tagName + "[" + name + "]=" + url.protocol); }
    });
  });
  document.querySelectorAll("a, area").forEach(function (link) {
    if (/^(javascript|data|vbscript):$/.test(link.protocol)) { link.click(); }
  });
  document.documentElement.setAttribute("data-unsafe", unsafe.join(" "));
  document.documentElement.setAttribute("data-window-pwned", String(window.__pwned));
  document.documentElement.setAttribute("data-harness", "ran");
});
</script>"""


class _Root(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.attributes: dict[str, str] = {}
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "html" and not self.attributes:
            self.attributes = {name: value or "" for name, value in attrs}
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def script_check(page: Path, profile: Path) -> dict[str, str]:
    """Load a copy of page (beside it, so its assets load) with HARNESS in a real headless Chromium, and return
    what the harness and any payload left on <html>, plus the document's title as "title"."""
    html = page.read_text(encoding="utf-8")
    cut = html.rfind("</body>")
    checked = page.with_name(f".checked-{page.name}")
    checked.write_text(html[:cut] + HARNESS + html[cut:] if cut >= 0 else html + HARNESS, encoding="utf-8")
    try:
        done = subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=3000",
                               "--dump-dom", checked.as_uri()], check=True, capture_output=True, text=True,
                              timeout=300)
    finally:
        checked.unlink()
    root = _Root()
    root.feed(done.stdout)
    return {**root.attributes, "title": root.title.strip()}
