"""The records repository's settings: tracker.yaml, with the defaults a new repository starts from."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tracker.model.dates import ASSEMBLY_STYLE
from tracker.model.errors import TrackerError

CONFIG_FILE = "tracker.yaml"
RECORDS_DIR = "records"
LOCAL_DIR = ".tracker-cache"
KINDS_WITH_STATUS = ("action", "recommendation")

DEFAULT_STATUSES: dict[str, dict[str, dict[str, str]]] = {
    "action": {
        "ongoing": {"label": "Ongoing", "category": "open"},
        "completed": {"label": "Completed", "category": "done"},
        "closed": {"label": "Closed", "category": "done"},
    },
    "recommendation": {
        "awaiting-response": {"label": "Awaiting response", "category": "open"},
        "accepted": {"label": "Accepted", "category": "open"},
        "in-progress": {"label": "In progress", "category": "open"},
        "implemented": {"label": "Implemented", "category": "done"},
        "partially-implemented": {"label": "Partially implemented", "category": "done"},
        "not-accepted": {"label": "Not accepted", "category": "done"},
        "closed": {"label": "Closed", "category": "done"},
    },
}
DEFAULT_AFTER_RESPONSE = {"default": "in-progress", "accepted": "accepted", "not-accepted": "not-accepted"}
DEFAULTS: dict[str, Any] = {
    "committees": {},
    "statuses": DEFAULT_STATUSES,
    "followup_days": 28,
    "response_days": 56,
    "date_style": ASSEMBLY_STYLE,
    "evidence_required": [],
    "after_response": DEFAULT_AFTER_RESPONSE,
    "commit": False,
    "bodies": {},
    "email_from": "",
    "site_url": "",
}


@dataclass(frozen=True)
class Status:
    slug: str
    label: str
    category: str  # "open" or "done"

    @property
    def is_open(self) -> bool:
        return self.category == "open"


@dataclass(frozen=True)
class Committee:
    slug: str
    name: str
    body: str = ""
    default_to: str = ""  # who is addressed when the minutes name no one


@dataclass(frozen=True)
class Contact:
    """Where chasers to a body go: its address and the person they are addressed to (either may be empty)."""

    email: str = ""
    name: str = ""


@dataclass(frozen=True)
class Config:
    """Everything a clerk may tune, read from tracker.yaml with defaults filled in."""

    root: Path
    committees: dict[str, Committee]
    statuses: dict[str, dict[str, Status]]
    followup_days: int = 28
    response_days: int = 56
    date_style: str = ASSEMBLY_STYLE
    evidence_required: frozenset[str] = frozenset()
    after_response: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_AFTER_RESPONSE))
    commit: bool = False
    body_aliases: dict[str, str] = field(default_factory=dict)
    contacts: dict[str, Contact] = field(default_factory=dict)  # by canonical body name
    email_from: str = ""
    site_url: str = ""

    def status(self, kind: str, slug: str) -> Status | None:
        return self.statuses.get(kind, {}).get(slug)

    def is_open(self, kind: str, slug: str) -> bool:
        status = self.status(kind, slug)
        return status.is_open if status else True

    def label(self, kind: str, slug: str) -> str:
        status = self.status(kind, slug)
        return status.label if status else slug

    def status_slug(self, kind: str, word: str) -> str | None:
        """The status a clerk means by a slug or a label in any case ("In progress", "IN-PROGRESS"), or None."""
        wanted = _status_words(word)
        for slug, status in self.statuses.get(kind, {}).items():
            if wanted in (_status_words(slug), _status_words(status.label)):
                return slug
        return None

    def resolve_status(self, kind: str, word: str) -> str:
        """The status slug for a slug or label as typed; a TrackerError naming the nearest status otherwise."""
        slug = self.status_slug(kind, word)
        if slug is not None:
            return slug
        vocabulary = self.statuses.get(kind, {})
        message = f"{word!r} is not one of the {kind} statuses ({', '.join(vocabulary)})"
        nearest = self.nearest_status(kind, word)
        if nearest:
            message += f"; did you mean {nearest!r}?"
        raise TrackerError(message, hint="a status may be given by its slug or its label, in any case; "
                                         "the statuses are listed in tracker.yaml")

    def nearest_status(self, kind: str, word: str) -> str:
        """The status slug closest to a misspelt one ("in-progres" → in-progress), or "" when none is close."""
        import difflib

        names: dict[str, str] = {}
        for slug, status in self.statuses.get(kind, {}).items():
            names[_status_words(slug)] = slug
            names[_status_words(status.label)] = slug
        close = difflib.get_close_matches(_status_words(word), list(names), n=1, cutoff=0.6)
        return names[close[0]] if close else ""

    def canonical_body(self, name: str) -> str:
        """The body's canonical name, so "HMPPS" and "HM Prison & Probation Service" count as one."""
        key = " ".join(name.split()).casefold()
        return self.body_aliases.get(key, " ".join(name.split()))

    def unknown_body(self, name: str) -> str:
        """Why name is not one of the bodies tracker.yaml lists (naming the nearest), or "" when it is one, or
        when tracker.yaml lists none."""
        key = " ".join(name.split()).casefold()
        if not self.body_aliases or key in self.body_aliases:
            return ""
        import difflib

        message = f"{name!r} is not one of the bodies in tracker.yaml, nor another name for one"
        close = difflib.get_close_matches(key, list(self.body_aliases), n=1, cutoff=0.75)
        if close:
            message += f"; did you mean {self.body_aliases[close[0]]!r}?"
        return message + " (a new body is added under bodies: in tracker.yaml)"

    def contact(self, body: str) -> Contact:
        """Where chasers to the body (any of its names) go; empty when tracker.yaml does not say."""
        return self.contacts.get(self.canonical_body(body), Contact())

    def status_after_response(self, position: str | None) -> str:
        return self.after_response.get(position or "", self.after_response.get("default", "in-progress"))


def _status_words(word: str) -> str:
    return " ".join(word.replace("-", " ").replace("_", " ").split()).casefold().rstrip(".")


def default_settings() -> dict[str, Any]:
    return copy.deepcopy(DEFAULTS)


def config_from_mapping(root: Path, data: dict[str, Any]) -> Config:
    """Build a Config from tracker.yaml's (already schema-checked) mapping."""
    merged = default_settings()
    merged.update({key: value for key, value in data.items() if value is not None})
    committees = {}
    for slug, value in (merged["committees"] or {}).items():
        if isinstance(value, str):
            committees[slug] = Committee(slug, value)
        else:
            committees[slug] = Committee(slug, value["name"], value.get("body", ""), value.get("default_to", ""))
    statuses = {}
    for kind in KINDS_WITH_STATUS:
        vocabulary = merged["statuses"].get(kind) or DEFAULT_STATUSES[kind]
        statuses[kind] = {
            slug: Status(slug, spec.get("label", slug), spec.get("category", "open")) for slug, spec in vocabulary.items()
        }
    aliases: dict[str, str] = {}
    contacts: dict[str, Contact] = {}
    for name, spec in (merged["bodies"] or {}).items():
        for alias in [name, *((spec or {}).get("aliases") or [])]:
            aliases[" ".join(alias.split()).casefold()] = name
        if (spec or {}).get("email") or (spec or {}).get("contact"):
            contacts[name] = Contact(spec.get("email", ""), spec.get("contact", ""))
    return Config(
        root=root,
        committees=committees,
        statuses=statuses,
        followup_days=merged["followup_days"],
        response_days=merged["response_days"],
        date_style=merged["date_style"],
        evidence_required=frozenset(merged["evidence_required"] or []),
        after_response={**DEFAULT_AFTER_RESPONSE, **(merged["after_response"] or {})},
        commit=bool(merged["commit"]),
        body_aliases=aliases,
        contacts=contacts,
        email_from=merged["email_from"] or "",
        site_url=merged["site_url"] or "",
    )


def load_config(root: Path) -> Config:
    """Read and check tracker.yaml at the repository root."""
    from tracker.storage import yamlio
    from tracker.storage.schemas import schema_problems

    path = root / CONFIG_FILE
    marks: yamlio.Marks = {}
    data = yamlio.load_file(path, marks)
    if not isinstance(data, dict):
        raise TrackerError.at(path, "tracker.yaml must be a mapping of settings", 1, 1)
    problems = schema_problems("tracker", data, CONFIG_FILE, marks)
    if problems:
        raise TrackerError("\n".join(str(p) for p in problems), problems)
    return config_from_mapping(root, data)


def find_root(start: Path, explicit: str | None = None, from_env: str | None = None) -> Path:
    """The records repository: --root, else TRACKER_ROOT, else the nearest folder upwards with tracker.yaml."""
    for given, source in ((explicit, "--root"), (from_env, "TRACKER_ROOT")):
        if given:
            root = Path(given).expanduser().resolve()
            if not (root / CONFIG_FILE).is_file():
                raise TrackerError(f"{source} {given}: no {CONFIG_FILE} there; run `tracker init {given}` to start one")
            return root
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
    raise TrackerError(
        f"no records repository here: no {CONFIG_FILE} in {here} or any folder above it",
        hint="run `tracker init` to start one, or pass --root DIR",
    )


def local_folder(root: Path) -> Path:
    """The repository's folder for the cache and the write lock, made on first use and never committed."""
    folder = root / LOCAL_DIR
    folder.mkdir(exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        # Ignored even in a repository whose own .gitignore does not mention the folder.
        ignore.write_text("# The cache and write lock of tracker; safe to delete.\n*\n", encoding="utf-8")
    return folder
