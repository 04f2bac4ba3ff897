"""Generate a realistic synthetic records repository for benchmarks and tests.

    python benchmarks/generate.py --records 50000 --seed 1 /tmp/assembly

N is the number of actions plus recommendations. Twelve committees over fifteen years hold meetings (each with a
handful of actions) and publish reports (each with recommendations and the bodies' responses). Items carry
histories (status changes, notes, follow-ups, reschedules, responses), full and partial due dates and multi-line
text. The output depends only on N and the seed, and always passes `tracker validate`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import random
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

FIRST_YEAR = 2010
YEARS = 15
# Nothing happens after this day, so a repository is the same whenever it is generated.
END = dt.date(2025, 6, 30)
RECOMMENDATION_SHARE = 0.4

COMMITTEES = [
    ("pcc", "Police and Crime Committee"),
    ("budget", "Budget and Performance Committee"),
    ("transport", "Transport Committee"),
    ("housing", "Housing Committee"),
    ("environment", "Environment Committee"),
    ("health", "Health Committee"),
    ("economy", "Economy Committee"),
    ("planning", "Planning and Regeneration Committee"),
    ("fire", "Fire, Resilience and Emergency Planning Committee"),
    ("oversight", "GLA Oversight Committee"),
    ("audit", "Audit Panel"),
    ("culture", "Arts, Culture and Sport Committee"),
]
BODIES = [
    ("Metropolitan Police Service", ["MPS", "the Met"]),
    ("MOPAC", ["Mayor's Office for Policing and Crime"]),
    ("HM Prison & Probation Service", ["HMPPS"]),
    ("HM Courts & Tribunals Service", ["HMCTS"]),
    ("Transport for London", ["TfL"]),
    ("Greater London Authority", ["GLA"]),
    ("London Fire Brigade", ["LFB"]),
    ("NHS England (London)", []),
    ("London Councils", []),
    ("Home Office", []),
    ("The Mayor", ["Mayor of London"]),
    ("Department for Transport", ["DfT"]),
]
PEOPLE = [
    "Deputy Mayor for Policing and Crime", "Commissioner of Police of the Metropolis", "Chair of the Committee",
    "Head of Committee and Member Services", "Director of Strategy, MOPAC", "Commissioner for Transport",
    "London Fire Commissioner", "Executive Director of Housing and Land", "Deputy Mayor for Environment",
    "Chief Finance Officer", "Scrutiny Manager", "Regional Probation Director", "Director of Public Health",
]
TOPICS = [
    "knife crime", "violence against women and girls", "stop and search", "youth services", "bus safety",
    "cycling infrastructure", "air quality", "fuel poverty", "affordable housing", "rough sleeping",
    "fire safety in tall buildings", "flood resilience", "the night-time economy", "adult skills",
    "mental health crisis care", "road danger reduction", "community policing", "domestic abuse",
    "missing children", "probation services", "the river crossing programme", "waste and recycling",
    "green spaces", "digital exclusion", "the cost of living", "estate regeneration", "step-free access",
    "police vetting", "hate crime", "emergency planning", "cultural infrastructure", "grassroots sport",
]
VERBS = [
    "provide the Committee with", "write to the Chair setting out", "share with Members", "publish",
    "report back to the Committee on", "circulate", "confirm in writing", "update the Committee on",
]
OBJECTS = [
    "the latest performance data", "a breakdown of spending by borough", "the timetable for the review",
    "the findings of the internal audit", "details of the consultation responses", "the revised action plan",
    "an equality impact assessment", "the evaluation of the pilot", "workforce figures by grade",
    "the risk register", "a note on the governance arrangements", "the terms of reference",
]
WORDS = (
    "the committee heard evidence that partners should work together to improve outcomes for Londoners while "
    "ensuring value for money and transparency in how decisions are taken across boroughs and agencies with "
    "regular monitoring published data clear targets and accountability to residents including young people "
    "victims witnesses and communities most affected by the issues raised during the investigation"
).split()
NOTES = [
    "Officers chased for an update.", "Response expected after the next board meeting.",
    "Information received in part; the remainder is awaited.", "Discussed with the Chair, who asked for a reminder.",
    "The body asked for more time because of the pre-election period.", "Awaiting sign-off by the Deputy Mayor.",
]
REASONS = [
    "Delayed by the pre-election period.", "Data not yet published.", "Review extended by the board.",
    "Waiting for the outcome of the government consultation.", "Staff changes in the responsible team.",
]
ACTION_STATUSES = ("completed", "closed")
POSITION_STATUS = {"accepted": "accepted", "partially-accepted": "in-progress", "noted": "in-progress",
                   "not-accepted": "not-accepted"}


def slug(text: str) -> str:
    return "-".join("".join(c if c.isalnum() else " " for c in text.lower()).split())


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def block(text: str, indent: int) -> str:
    """A literal block scalar, for multi-line Markdown."""
    pad = " " * indent
    return "|-\n" + "\n".join(pad + line if line else "" for line in text.split("\n"))


def folded(text: str, indent: int, width: int = 100) -> str:
    """A folded block scalar for a long paragraph, wrapped like hand-written records."""
    pad = " " * indent
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return ">-\n" + "\n".join(pad + part for part in lines)


def text_value(text: str, indent: int) -> str:
    if "\n" in text:
        return block(text, indent)
    if len(text) > 80:
        return folded(text, indent)
    return q(text)


@dataclass
class Item:
    """A trackable item being generated: its due date and the history that leads to its status."""

    created: dt.date
    status: str
    due: str | None
    events: list[dict[str, str]] = field(default_factory=list)


class Generator:
    def __init__(self, records: int, seed: int):
        self.rng = random.Random(seed)
        self.records = records
        self.files: list[tuple[str, str]] = []

    # ------------------------------------------------------------------ text

    def sentence(self, low: int = 12, high: int = 30) -> str:
        words = [self.rng.choice(WORDS) for _ in range(self.rng.randint(low, high))]
        return " ".join(words).capitalize() + "."

    def action_text(self, topic: str) -> str:
        base = f"To {self.rng.choice(VERBS)} {self.rng.choice(OBJECTS)} on {topic}."
        roll = self.rng.random()
        if roll < 0.25:
            bullets = "\n".join(f"- {self.rng.choice(OBJECTS).capitalize()}" for _ in range(self.rng.randint(2, 4)))
            return f"{base} In particular:\n\n{bullets}"
        if roll < 0.6:
            return f"{base} {self.sentence()}"
        return base

    def recommendation_text(self, topic: str) -> str:
        first = f"The Mayor and partners should set out how they will improve {topic}. {self.sentence(20, 45)}"
        if self.rng.random() < 0.35:
            return f"{first}\n\n{self.sentence(15, 35)}"
        return first

    # ------------------------------------------------------------------ dates

    def partial_due(self, after: dt.date) -> str:
        day = after + dt.timedelta(days=self.rng.randint(30, 300))
        roll = self.rng.random()
        if roll < 0.6:
            return day.isoformat()
        if roll < 0.9:
            return f"{day.year:04d}-{day.month:02d}"
        return f"{day.year:04d}"

    def step(self, day: dt.date, low: int = 7, high: int = 120) -> dt.date:
        return day + dt.timedelta(days=self.rng.randint(low, high))

    def done_chance(self, created: dt.date) -> float:
        age = (END - created).days
        return 0.97 if age > 3 * 365 else 0.85 if age > 2 * 365 else 0.6 if age > 365 else 0.25

    # ------------------------------------------------------------------ history

    def history(self, item: Item, done: list[str], day: dt.date) -> None:
        """Notes, follow-ups and reschedules after day, then maybe a final status change; all before END."""
        for _ in range(self.rng.choice((0, 0, 1, 1, 2, 3))):
            day = self.step(day)
            if day > END:
                return
            roll = self.rng.random()
            if roll < 0.4:
                item.events.append({"date": day.isoformat(), "event": "follow-up", "by": "Clerk"})
            elif roll < 0.75:
                item.events.append({"date": day.isoformat(), "event": "note", "note": self.rng.choice(NOTES)})
            elif item.due:
                new_due = self.partial_due(max(day, _last_day(item.due)))
                item.events.append({"date": day.isoformat(), "event": "reschedule", "previous_due": item.due,
                                    "due": new_due, "reason": self.rng.choice(REASONS)})
                item.due = new_due
        if self.rng.random() < self.done_chance(item.created):
            day = self.step(day, 14, 400)
            if day <= END:
                final = self.rng.choice(done)
                event = {"date": day.isoformat(), "event": "status", "from": item.status, "status": final}
                if final == "implemented":
                    event["evidence"] = f"https://www.london.gov.uk/evidence/{self.rng.randint(1000, 99999)}"
                if self.rng.random() < 0.5:
                    event["note"] = self.sentence(6, 14)
                item.events.append(event)
                item.status = final

    # ------------------------------------------------------------------ records

    def add(self, rel: str, lines: list[str]) -> None:
        self.files.append((rel, "\n".join(lines) + "\n"))

    def config(self) -> str:
        lines = ["# yaml-language-server: $schema=schema/tracker.schema.json",
                 "# A synthetic assembly: twelve committees over fifteen years (benchmarks/generate.py).",
                 "committees:"]
        for committee, name in COMMITTEES:
            lines += [f"  {committee}:", f"    name: {q(name)}", "    body: London Assembly"]
        lines += ["", "followup_days: 28", "response_days: 56", 'date_style: "{day} {month} {year}"',
                  "evidence_required: [implemented]", "", "bodies:"]
        for body, aliases in BODIES:
            lines.append(f"  {q(body)}:")
            if aliases:
                lines.append(f"    aliases: [{', '.join(q(a) for a in aliases)}]")
            else:
                lines.append("    aliases: []")
        # The people actions fall to are listed too: with bodies listed, every name a record owes by must be.
        lines += [f"  {q(person)}:" for person in PEOPLE]
        return "\n".join(lines) + "\n"

    def spread(self, total: int, parts: int) -> list[int]:
        base, extra = divmod(total, parts)
        return [base + (1 if index < extra else 0) for index in range(parts)]

    def dates(self, count: int) -> list[dt.date]:
        """count distinct dates spread over the fifteen years, in order."""
        span = (dt.date(FIRST_YEAR + YEARS - 1, 12, 20) - dt.date(FIRST_YEAR, 1, 10)).days
        if count > span:
            raise ValueError(f"{count} meetings or reports do not fit in {YEARS} years; ask for fewer records")
        chosen = sorted(self.rng.sample(range(span), count))
        return [dt.date(FIRST_YEAR, 1, 10) + dt.timedelta(days=offset) for offset in chosen]

    def generate(self) -> None:
        recommendations = round(self.records * RECOMMENDATION_SHARE)
        actions = self.records - recommendations
        for (committee, name), count in zip(COMMITTEES, self.spread(actions, len(COMMITTEES)), strict=True):
            self.meetings(committee, name, count)
        for (committee, _name), count in zip(COMMITTEES, self.spread(recommendations, len(COMMITTEES)), strict=True):
            self.reports(committee, count)

    def meetings(self, committee: str, name: str, actions: int) -> None:
        if actions == 0:
            return
        standing = min(3, actions // 200)
        for index in range(standing):
            self.standing_action(committee, index)
        actions -= standing
        per_meeting = self.spread(actions, max(1, math.ceil(actions / 5)))
        for day, count in zip(self.dates(len(per_meeting)), per_meeting, strict=True):
            meeting = f"{committee}-{day.isoformat()}"
            self.add(f"records/{committee}/meetings/{meeting}.yaml", [
                "# yaml-language-server: $schema=../../../schema/meeting.schema.json",
                f"id: {meeting}", "kind: meeting", f"committee: {committee}", f"date: {day.isoformat()}",
                f"title: {q(name)}",
                f"url: https://www.london.gov.uk/meetings/{committee}/{day.isoformat()}",
            ])
            item_number = self.rng.randint(4, 6)
            left = count
            while left:
                in_item = min(left, self.rng.randint(1, 3))
                left -= in_item
                item = str(item_number) + (self.rng.choice("ab") if self.rng.random() < 0.1 else "")
                item_number += 1
                topic = self.rng.choice(TOPICS)
                for seq in range(in_item):
                    self.action(committee, day, item, seq, topic)

    def action(self, committee: str, meeting: dt.date, item: str, seq: int, topic: str) -> None:
        part = item + "-" if item[-1].isalpha() else item
        action_id = f"{committee}-{meeting.isoformat()}-{part}{'abcdefghijklmnopqrstuvwxyz'[seq]}"
        due = self.partial_due(meeting) if self.rng.random() < 0.7 else None
        state = Item(meeting, "ongoing", due)
        self.history(state, list(ACTION_STATUSES), meeting)
        lines = [
            "# yaml-language-server: $schema=../../../../schema/action.schema.json",
            f"id: {action_id}", "kind: action", f"committee: {committee}", f"meeting: {meeting.isoformat()}",
            f"item: {q(item)}", f"item_title: {q(topic[0].upper() + topic[1:])}",
            f"responsible: {q(self.rng.choice(PEOPLE))}",
            f"text: {text_value(self.action_text(topic), 2)}", f"status: {state.status}",
        ]
        if state.due:
            lines.append(f"due: {_due(state.due)}")
        lines += _history_lines(state.events)
        self.add(f"records/{committee}/actions/{meeting.year}/{action_id}.yaml", lines)

    def standing_action(self, committee: str, index: int) -> None:
        title = ["Transparency Procedure", "Complaints", "Quarterly Performance Report"][index]
        action_id = f"{committee}-standing-{slug(title)}"
        created = dt.date(FIRST_YEAR, 1, 10)
        state = Item(created, "ongoing", None)
        lines = [
            "# yaml-language-server: $schema=../../../../schema/action.schema.json",
            f"id: {action_id}", "kind: action", f"committee: {committee}", "standing: true", f"title: {q(title)}",
            f"text: {q(f'To report to every meeting on the {title.lower()}.')}",
            f"responsible: {q(self.rng.choice(PEOPLE))}", "deadline: N/A", f"status: {state.status}",
            f"created: {created.isoformat()}",
        ]
        self.add(f"records/{committee}/actions/standing/{action_id}.yaml", lines)

    def reports(self, committee: str, recommendations: int) -> None:
        if recommendations == 0:
            return
        sizes = self.spread(recommendations, max(1, math.ceil(recommendations / 8)))
        for index, (day, size) in enumerate(zip(self.dates(len(sizes)), sizes, strict=True)):
            topic = self.rng.choice(TOPICS)
            report_slug = f"{slug(topic)}-{day.year}-{index + 1}"
            self.report(committee, report_slug, topic, day, size)

    def report(self, committee: str, report_slug: str, topic: str, day: dt.date, size: int) -> None:
        report_id = f"{committee}-{report_slug}"
        folder = f"records/{committee}/reports/{report_slug}"
        partial = self.rng.random() < 0.2
        published = f"{day.year:04d}-{day.month:02d}" if partial else day.isoformat()
        published_first = day.replace(day=1) if partial else day
        lines = [
            "# yaml-language-server: $schema=../../../../schema/report.schema.json",
            f"id: {report_id}", "kind: report", f"committee: {committee}", f"slug: {report_slug}",
            f"title: {q(topic[0].upper() + topic[1:] + ' in London')}",
            f"published: {_due(published)}",
            f"url: https://www.london.gov.uk/reports/{report_slug}",
        ]
        if self.rng.random() < 0.3:
            lines.append(f"response_due: {(published_first + dt.timedelta(days=90)).isoformat()}")
        self.add(f"{folder}/{report_id}.yaml", lines)

        bodies = [body for body, _ in BODIES]
        addressed: list[list[str]] = []
        for _ in range(size):
            to = self.rng.sample(bodies[:6], self.rng.choice((1, 1, 1, 2)))
            addressed.append(to)
        responses = self.responses(folder, report_id, published_first, addressed)
        for number, to in enumerate(addressed, start=1):
            self.recommendation(folder, report_id, topic, published_first, responses, number, to)

    def responses(self, folder: str, report_id: str, published_first: dt.date,
                  addressed: list[list[str]]) -> list[tuple[dt.date, str, str, list[tuple[int, str]]]]:
        """Each body addressed answers (or not) in one response covering its recommendations; the responses made,
        in date order."""
        responses: list[tuple[dt.date, str, str, list[tuple[int, str]]]] = []
        for body in sorted({b for to in addressed for b in to}):
            if self.rng.random() > 0.85:
                continue
            when = published_first + dt.timedelta(days=self.rng.randint(20, 150))
            if when > END:
                continue
            answers = [(n + 1, self.rng.choice(("accepted", "accepted", "partially-accepted", "noted", "not-accepted")))
                       for n, to in enumerate(addressed) if body in to]
            response_id = f"{report_id}-{when.isoformat()}-{slug(body)}"
            responses.append((when, body, response_id, answers))
            lines = [
                "# yaml-language-server: $schema=../../../../../schema/response.schema.json",
                f"id: {response_id}", "kind: response", f"report: {report_id}", f"from: {q(body)}",
                f"date: {when.isoformat()}", f"summary: {text_value(self.sentence(15, 40), 2)}",
                "recommendations:",
            ]
            for number, position in answers:
                lines += [f"  - number: {number}", f"    position: {position}"]
                if self.rng.random() < 0.5:
                    lines.append(f"    text: {text_value(self.sentence(8, 30), 6)}")
            self.add(f"{folder}/responses/{response_id}.yaml", lines)
        responses.sort()
        return responses

    def recommendation(self, folder: str, report_id: str, topic: str, published_first: dt.date,
                       responses: list[tuple[dt.date, str, str, list[tuple[int, str]]]], number: int,
                       to: list[str]) -> None:
        due = self.partial_due(published_first) if self.rng.random() < 0.6 else None
        state = Item(published_first, "awaiting-response", due)
        last = published_first
        for when, _body, response_id, answers in responses:
            position = dict(answers).get(number)
            if position is None:
                continue
            event = {"date": when.isoformat(), "event": "response", "response": response_id}
            if state.status == "awaiting-response":
                event["from"] = state.status
                event["status"] = POSITION_STATUS[position]
                state.status = event["status"]
            state.events.append(event)
            last = when
        if state.status in ("accepted", "in-progress"):
            self.history(state, ["implemented", "partially-implemented", "closed"], last)
        rec_id = f"{report_id}-r{number}"
        lines = [
            "# yaml-language-server: $schema=../../../../../schema/recommendation.schema.json",
            f"id: {rec_id}", "kind: recommendation", f"report: {report_id}", f"number: {number}",
            f"text: {text_value(self.recommendation_text(topic), 2)}", "to:",
            *(f"  - {q(body)}" for body in to), f"status: {state.status}",
        ]
        if state.due:
            lines.append(f"due: {_due(state.due)}")
        lines += _history_lines(state.events)
        self.add(f"{folder}/recommendations/{rec_id}.yaml", lines)


def _due(value: str) -> str:
    """Full dates plain, partial dates quoted, as the record format asks."""
    return value if len(value) == 10 else q(value)


def _last_day(value: str) -> dt.date:
    if len(value) == 10:
        return dt.date.fromisoformat(value)
    if len(value) == 7:
        year, month = int(value[:4]), int(value[5:])
        return (dt.date(year + month // 12, month % 12 + 1, 1)) - dt.timedelta(days=1)
    return dt.date(int(value), 12, 31)


def _history_lines(events: list[dict[str, str]]) -> list[str]:
    if not events:
        return []
    lines = ["history:"]
    order = ("date", "event", "by", "from", "status", "response", "previous_due", "due", "reason", "note", "evidence")
    for event in events:
        first = True
        for key in order:
            if key not in event:
                continue
            value = event[key]
            if key in ("date",):
                text = value
            elif key in ("previous_due", "due"):
                text = _due(value)
            elif key in ("event", "from", "status", "response"):
                text = value
            else:
                text = text_value(value, 6)
            lines.append(f"{'  - ' if first else '    '}{key}: {text}")
            first = False
    return lines


def generate(out: Path, records: int, seed: int) -> int:
    """Write the repository to out (which must not hold one already); return the number of files written."""
    generator = Generator(records, seed)
    generator.generate()
    out.mkdir(parents=True, exist_ok=True)
    (out / "tracker.yaml").write_text(generator.config(), encoding="utf-8")
    (out / ".gitignore").write_text(".tracker-cache/\n", encoding="utf-8")
    schema = Path(__file__).resolve().parent.parent / "schema"
    if schema.is_dir():
        shutil.copytree(schema, out / "schema", dirs_exist_ok=True)
    made: set[str] = set()
    for rel, text in generator.files:
        folder = rel.rsplit("/", 1)[0]
        if folder not in made:
            (out / folder).mkdir(parents=True, exist_ok=True)
            made.add(folder)
        (out / rel).write_text(text, encoding="utf-8")
    return len(generator.files)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, required=True, help="number of actions plus recommendations")
    parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same repository)")
    parser.add_argument("outdir", type=Path, help="folder to write the repository into")
    args = parser.parse_args(argv)
    if args.records < 1:
        parser.error("--records must be at least 1")
    if (args.outdir / "records").exists():
        parser.error(f"{args.outdir}/records already exists; give an empty or new folder")
    count = generate(args.outdir, args.records, args.seed)
    print(f"wrote {count} record files ({args.records} actions and recommendations) to {args.outdir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
