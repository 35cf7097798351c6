"""Data at scale: a bulk generator of realistic cases, and timings of the screens over them.

:func:`generate` fills an empty, migrated database with demo agencies, the published shipped
procedures, the sample catalogue and then ``cases`` cases with their steps, journal,
dispositions and attachment rows. It does not call the case services (a million cases through
them would take days): it drives the real engine (:mod:`laksana.engine.interpreter`) through
a set of *path templates* per procedure (the main path, every decision branch, loops, with
different claim and reading habits), and replicates them with varying people, requesting
units, applications and times. For each case the rows are exactly what the services would
have written for that history:

* the state is the engine's state after the case's last action, the step rows carry the
  engine's visits, ``due_at`` is ``calendar_for(agency).due(activated_at, standard)``;
* every journal entry has the data shape the services write (``{"event": ...}`` for engine
  events, the claim, disposition, reading, file and hold records) and the hash chain is
  valid: the hash is computed from the same canonical JSON as
  :func:`laksana.cases.journal.entry_hash` (built as text for speed, checked against
  ``entry_hash`` for a sample of entries while generating);
* references are ``<agency-slug>-<year>-<number>`` in order of opening, and the counters say
  the last number of each agency and year.

About 18% of the cases are left open at a random step (some claimed, some on hold, some
overdue), the rest are finished. Times are working time of the agency's calendar: cases are
opened over about three years, steps take a share of their time standard (sometimes more).
No notifications are written, no files are stored (attachment rows point at no file), and the
catalogue's lifecycle hooks are not run for these cases.

Rows are written with COPY on PostgreSQL (secondary indexes dropped during the load and
recreated with their exact definitions, foreign-key triggers off during the load and the
references checked afterwards) and with ``executemany`` in one transaction on SQLite (bulk
PRAGMAs during the load, the normal ones again afterwards). ``ANALYZE`` at the end.

:func:`measure` times, through the product's own code, the screens a user hits on such data.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import hashlib
import json
import math
import multiprocessing
import random
import re
import time
import uuid
import zoneinfo
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone

from laksana.benchmarks.common import Figure, percentile
from laksana.cases import participation
from laksana.cases.journal import entry_hash
from laksana.cases.models import (
    Attachment,
    Case,
    CaseStep,
    Counter,
    Disposition,
    JournalEntry,
)
from laksana.engine import artifacts as artifact_types
from laksana.engine import interpreter as engine
from laksana.engine.spec import ActorKind, ProcedureSpec
from laksana.engine.timetext import TimeUnit
from laksana.engine.worktime import Calendar
from laksana.org.models import ActorBinding, Agency, Person, Unit

Log = Callable[[str], None]

SEED = 20260501
YEARS = 3
OPEN_SHARE = 0.18
HOLD_SHARE = 0.06  # of the open cases
CHUNK = 5000  # cases per unit of work

# Which agency runs which procedure, and its share of the cases.
PLANS: tuple[tuple[str, str, float], ...] = (
    ("diskominfos-bali", "sop-002-penanganan-masalah-aplikasi", 0.40),
    ("djki", "sop-004-pemulihan-gagal-fungsi-ipas", 0.40),
    ("utn", "sop-000-pemeliharaan-aplikasi", 0.07),
    ("utn", "sop-003-pembuatan-aplikasi-dan-website", 0.07),
    ("diskominfo-sukamaju", "sop-001-pengelolaan-aplikasi", 0.06),
)

# Words of the titles and descriptions: common ones, and places drawn with a long tail (the
# rarest ones make the "rare word" of the search figures).
SUBJECTS = {
    "sop-002-penanganan-masalah-aplikasi": (
        "Gangguan aplikasi {app}",
        "Data tidak tersimpan di {app}",
        "Permintaan perbaikan fitur laporan {app}",
        "Halaman login {app} tidak dapat diakses",
        "Galat saat unggah dokumen di {app}",
    ),
    "sop-004-pemulihan-gagal-fungsi-ipas": (
        "Gangguan pencarian merek di IPAS",
        "IPAS tidak dapat diakses dari {unit}",
        "Gagal simpan permohonan paten di IPAS",
        "Lambat saat membuka berkas permohonan IPAS",
        "Sertifikat tidak dapat dicetak dari IPAS",
    ),
    "sop-000-pemeliharaan-aplikasi": (
        "Pemeliharaan berkala {app}",
        "Pembaruan keamanan {app}",
        "Pemeliharaan basis data {app}",
    ),
    "sop-003-pembuatan-aplikasi-dan-website": (
        "Usulan pembuatan website {unit}",
        "Usulan aplikasi layanan {unit}",
    ),
    "sop-001-pengelolaan-aplikasi": (
        "Pengembangan {app}",
        "Pengelolaan aplikasi {app}",
    ),
}
PLACES = [
    "Denpasar",
    "Badung",
    "Gianyar",
    "Tabanan",
    "Klungkung",
    "Bangli",
    "Karangasem",
    "Buleleng",
    "Jembrana",
    "Kuta",
    "Ubud",
    "Sanur",
    "Seminyak",
    "Canggu",
    "Nusa",
    "Dua",
    "Jimbaran",
    "Tanjung",
    "Benoa",
    "Singaraja",
    "Negara",
    "Amlapura",
    "Semarapura",
    "Kintamani",
    "Bedugul",
    "Munduk",
    "Lovina",
    "Pemuteran",
    "Gilimanuk",
    "Tulamben",
    "Amed",
    "Candidasa",
    "Padangbai",
    "Sidemen",
    "Tegallalang",
    "Payangan",
    "Mengwi",
    "Kerobokan",
    "Pecatu",
    "Ungasan",
    "Kutuh",
    "Sawangan",
    "Tampaksiring",
    "Blahbatuh",
    "Sukawati",
    "Batubulan",
    "Celuk",
    "Mas",
    "Peliatan",
    "Pejeng",
    "Bedulu",
    "Petulu",
]
HOLD_REASONS = (
    "Menunggu surat permohonan yang sudah ditandatangani",
    "Menunggu tangkapan layar galat dari pemohon",
    "Menunggu konfirmasi jadwal dari pemohon",
)
INSTRUCTIONS = (
    "Tindak lanjuti sesuai ketentuan",
    "Segera tangani dan laporkan hasilnya",
    "Koordinasikan dengan tim terkait",
)

# Sentinels in template JSON: "⟦jNAME⟧" (quoted) becomes a JSON value, ⟦sNAME⟧ text.
_SLOT = re.compile(r'"⟦j(\w+)⟧"|⟦s(\w+)⟧')


def _dumps(value: Any) -> str:
    return json.dumps(
        value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), cls=DjangoJSONEncoder
    )


@dataclass(frozen=True)
class Text:
    """JSON text with slots, filled per case: literal, slot, literal, ..."""

    parts: tuple[str, ...]

    @classmethod
    def of(cls, value: Any) -> Text:
        text = _dumps(value)
        parts: list[str] = []
        last = 0
        for m in _SLOT.finditer(text):
            parts.append(text[last : m.start()])
            parts.append(m.group(1) or m.group(2))
            last = m.end()
        parts.append(text[last:])
        return cls(tuple(parts))

    def fill(self, slots: dict[str, str]) -> str:
        parts = self.parts
        if len(parts) == 1:
            return parts[0]
        out = [parts[0]]
        for i in range(1, len(parts), 2):
            out.append(slots[parts[i]])
            out.append(parts[i + 1])
        return "".join(out)


@dataclass(frozen=True)
class Entry:
    """A journal entry of a template action: who (worker, recipient or nobody), when (the
    action's claim, dispatch, read or done time) and the data."""

    kind: str
    who: str  # "worker", "recipient", "none"
    when: str  # "claim", "dispatch", "read", "done"
    data: Text


@dataclass(frozen=True)
class Action:
    """One completed step of a template, with what the services would have written."""

    step: str
    visit: int
    actor: str
    outcome: str
    standard: Any  # TimeStandard | None
    claimed: bool
    disposition: bool  # a disposition is sent on this step (and read if ``read``)
    read: bool
    files: tuple[tuple[str, str], ...]  # (artifact key, file name) per file of this step
    pre: tuple[Entry, ...]  # entries before completion (claim, disposition, read)
    done: tuple[Entry, ...]  # files, completion, next activation or closing
    next_step: str  # the step activated next ("" when the case ends)
    next_visit: int
    next_actor: str
    next_standard: Any
    end: str  # the end reached ("" unless the case ends)


@dataclass
class Template:
    """One path through a procedure, replicated into many cases."""

    key: str
    weight: int
    first_step: str
    first_actor: str
    first_standard: Any
    opening: tuple[Entry, ...]
    actions: list[Action]
    states: list[Text]  # state after k actions, k = 0..len(actions)
    actors: frozenset[str]
    files_before: list[int] = field(default_factory=list)  # files in actions[:k]
    dispositions_before: list[int] = field(default_factory=list)
    entries_before: list[int] = field(default_factory=list)


# --- templates ---------------------------------------------------------------------------


# How often each outcome of a decision is taken (by procedure and step); others: evenly.
# After two rounds of a loop the most common outcome is taken, which leaves the loop.
OUTCOMES: dict[tuple[str, str], dict[str, float]] = {
    ("sop-000-pemeliharaan-aplikasi", "s3"): {"Ya": 0.5, "Tidak": 0.5},
    ("sop-000-pemeliharaan-aplikasi", "s7"): {"Ya": 0.8, "Tidak": 0.2},
    ("sop-001-pengelolaan-aplikasi", "d2"): {"Ya": 0.6, "Tidak": 0.4},
    ("sop-001-pengelolaan-aplikasi", "f3"): {"Ya": 0.2, "Tidak": 0.8},
    ("sop-001-pengelolaan-aplikasi", "g1"): {
        "Aplikasi diputus": 0.7,
        "Aplikasi dikembangkan kembali": 0.3,
    },
    ("sop-002-penanganan-masalah-aplikasi", "s9"): {"Diterima": 0.85, "Ditolak": 0.15},
    ("sop-003-pembuatan-aplikasi-dan-website", "s2a"): {"Ya": 0.85, "Tidak": 0.15},
    ("sop-003-pembuatan-aplikasi-dan-website", "s11"): {"Ya": 0.15, "Tidak": 0.85},
    ("sop-004-pemulihan-gagal-fungsi-ipas", "s7"): {"Ya": 0.85, "Tidak": 0.15},
    ("sop-004-pemulihan-gagal-fungsi-ipas", "s9"): {"Ya": 0.6, "Tidak": 0.4},
    ("sop-004-pemulihan-gagal-fungsi-ipas", "s11"): {"Ya": 0.7, "Tidak": 0.3},
    ("sop-004-pemulihan-gagal-fungsi-ipas", "s14"): {"Ya": 0.85, "Tidak": 0.15},
}


def _outcome(spec: ProcedureSpec, step_id: str, rng: random.Random, rounds: int) -> str | None:
    step = spec.step(step_id)
    if step.decision is None:
        return None
    labels = [o.label for o in step.decision.outcomes]
    known = OUTCOMES.get((spec.id, step_id), {})
    weights = [known.get(label, 1.0) for label in labels]
    if rounds >= 2:
        return labels[weights.index(max(weights))]
    return rng.choices(labels, weights=weights)[0]


def _value(spec: ProcedureSpec, key: str, files: list[tuple[str, str]], tag: str) -> Any:
    art = spec.artifact(key)
    if art.type not in ("disposition", "form"):
        # A file, or the signed document of a named type: an attachment of the case.
        n = len(files)
        name = f"{art.name[:60]}.pdf"
        files.append((key, name))
        ctype = "application/pdf"
        kinds = [k for k in art.accept if k != "any"]
        if kinds and "pdf" not in kinds:
            ctype = artifact_types.FILE_KINDS[kinds[0]][0]
            name = f"{art.name[:60]}.{kinds[0]}"
            files[-1] = (key, name)
        return {
            "files": [
                {"id": f"⟦sF{n}⟧", "name": name, "content_type": ctype, "size": 48213 + 977 * n}
            ]
        }
    if art.type == "disposition":
        return {"ref": f"disposition:⟦sD{tag}⟧"}
    return artifact_types.example_value(art)


def _walk(spec: ProcedureSpec, rng: random.Random) -> tuple[str, list[tuple[str, str | None]]]:
    """A random path: the (step, outcome) completed in order."""
    transition = engine.open_case(spec)
    state = transition.state
    path: list[tuple[str, str | None]] = []
    while not state.finished and len(path) < 200:
        step_id = state.active[0]
        outcome = _outcome(spec, step_id, rng, state.completions.get(step_id, 0))
        path.append((step_id, outcome))
        # Advance with the engine (artifact values do not change the path).
        artifacts: dict[str, Any] = {}
        step = spec.step(step_id)
        for key in [a for a in step.requires if a not in state.artifacts] + list(step.produces):
            artifacts[key] = _value(spec, key, [], "0")
        result = engine.execute(spec, state, engine.CompleteStep(step_id, artifacts, outcome))
        assert not isinstance(result, engine.Refusal), result
        state = result.state
    return "/".join(f"{s}:{o or ''}" for s, o in path), path


def _template(
    spec: ProcedureSpec, key: str, weight: int, path: list[tuple[str, str | None]], rng: Any
) -> Template:
    """Run ``path`` through the engine, recording what the services write at every action."""
    transition = engine.open_case(spec)
    state = transition.state
    opening = tuple(
        Entry(
            "opened" if isinstance(e, engine.CaseOpened) else "step_activated",
            "worker" if isinstance(e, engine.CaseOpened) else "none",
            "done",
            Text.of({"event": e.to_dict()}),
        )
        for e in transition.events
    )
    first = spec.step(state.active[0])
    states = [Text.of(state.to_dict())]
    actions: list[Action] = []
    file_count = 0
    dispositions = 0
    for a, (step_id, outcome) in enumerate(path):
        step = spec.step(step_id)
        visit = state.completions.get(step_id, 0) + 1
        files: list[tuple[str, str]] = []
        artifacts: dict[str, Any] = {}
        wanted = [k for k in step.requires if k not in state.artifacts] + list(step.produces)
        sends = any(spec.artifact(k).type == "disposition" for k in step.produces)
        for k in dict.fromkeys(wanted):
            artifacts[k] = _value(spec, k, files, str(dispositions))
        # File ids are numbered across the template so the state keeps them apart.
        renumbered: dict[str, int] = {}
        for k, v in artifacts.items():
            if isinstance(v, dict) and "files" in v:
                n = file_count + len(renumbered)
                v = {"files": [dict(v["files"][0], id=f"⟦sF{n}⟧")]}
                renumbered[k] = n
            artifacts[k] = v
        result = engine.execute(
            spec, state, engine.CompleteStep(step_id, artifacts, outcome, by=f"⟦sB{a}⟧")
        )
        assert not isinstance(result, engine.Refusal), (key, step_id, result)
        claimed = rng.random() < 0.3
        read = sends and rng.random() < 0.85
        pre: list[Entry] = []
        if claimed:
            pre.append(
                Entry("claimed", "worker", "claim", Text.of({"step": step_id, "visit": visit}))
            )
        if sends:
            d = f"D{dispositions}"
            pre.append(
                Entry(
                    "dispositioned",
                    "worker",
                    "dispatch",
                    Text.of(
                        {
                            "disposition": f"⟦j{d}⟧",
                            "to": f"⟦jTO{dispositions}⟧",
                            "to_name": f"⟦jTN{dispositions}⟧",
                            "instruction": f"⟦sIN{dispositions}⟧",
                            "urgency": "biasa",
                            "deadline": None,
                            "note": "",
                            "step": step_id,
                            "parent": None,
                        }
                    ),
                )
            )
            if read:
                pre.append(Entry("read", "recipient", "read", Text.of({"disposition": f"⟦j{d}⟧"})))
        done: list[Entry] = []
        for i, (art_key, name) in enumerate(files):
            n = file_count + i
            done.append(
                Entry(
                    "file_added",
                    "worker",
                    "done",
                    Text.of(
                        {
                            "attachment": f"⟦jF{n}⟧",
                            "name": name,
                            "artifact": art_key,
                            "step": step_id,
                        }
                    ),
                )
            )
        next_step = next_actor = end = ""
        next_visit = 0
        next_standard = None
        for e in result.events:
            data = Text.of({"event": e.to_dict()})
            if isinstance(e, engine.StepCompleted):
                done.append(Entry("completed", "worker", "done", data))
            elif isinstance(e, engine.StepActivated):
                done.append(Entry("step_activated", "none", "done", data))
                nxt = spec.step(e.step)
                next_step, next_visit, next_actor = e.step, e.visit, nxt.actor
                next_standard = nxt.time
            elif isinstance(e, engine.CaseEnded):
                done.append(Entry("closed", "worker", "done", data))
                end = e.end
        state = result.state
        states.append(Text.of(state.to_dict()))
        actions.append(
            Action(
                step=step_id,
                visit=visit,
                actor=step.actor,
                outcome=outcome or "",
                standard=step.time,
                claimed=claimed,
                disposition=sends,
                read=read,
                files=tuple(files),
                pre=tuple(pre),
                done=tuple(done),
                next_step=next_step,
                next_visit=next_visit,
                next_actor=next_actor,
                next_standard=next_standard,
                end=end,
            )
        )
        file_count += len(files)
        dispositions += int(sends)
    assert state.finished
    t = Template(
        key=key,
        weight=weight,
        first_step=first.id,
        first_actor=first.actor,
        first_standard=first.time,
        opening=opening,
        actions=actions,
        states=states,
        actors=frozenset(a.actor for a in actions),
    )
    n_files = n_dispositions = n_entries = 0
    for act in actions:
        t.files_before.append(n_files)
        t.dispositions_before.append(n_dispositions)
        t.entries_before.append(n_entries)
        n_files += len(act.files)
        n_dispositions += int(act.disposition)
        n_entries += len(act.pre) + len(act.done)
    t.files_before.append(n_files)
    t.dispositions_before.append(n_dispositions)
    t.entries_before.append(n_entries)
    return t


def templates_for(spec: ProcedureSpec, rng: random.Random, walks: int = 300) -> list[Template]:
    """The path templates of a procedure: distinct random walks (weighted by how often they
    came up), each in two variants of claiming and reading habits."""
    seen: dict[str, tuple[int, list[tuple[str, str | None]]]] = {}
    for _ in range(walks):
        key, path = _walk(spec, rng)
        count, _p = seen.get(key, (0, path))
        seen[key] = (count + 1, path)
    out = []
    for key, (count, path) in sorted(seen.items()):
        for variant in range(4 if len(seen) < 5 else 2):
            out.append(_template(spec, f"{key}#{variant}", count, path, rng))
    return out


# --- the world: agencies, people, units, applications ------------------------------------


@dataclass
class Who:
    pk: int
    name: str  # JSON text of the name
    raw: str


@dataclass
class Plan:
    """One agency running one procedure."""

    agency_id: int
    slug: str
    version_id: int
    procedure: str
    share: float
    calendar: Calendar
    templates: list[Template]
    weights: list[int]
    units: list[tuple[int, str, str]]  # (pk, name, short name) with people
    unit_weights: list[float]
    unit_people: dict[int, list[Who]]
    apps: list[tuple[int, str, str, list[Who]]]  # (pk, name, short name, vendor people)
    app_weights: list[float]
    app_share: float
    bound: dict[str, list[Who]]  # actor -> holders (bound actors)
    kinds: dict[str, ActorKind]
    subordinates: dict[int, list[Who]]


def _who(p: Person) -> Who:
    return Who(p.pk, json.dumps(p.name, ensure_ascii=False), p.name)


def _zipf(n: int, s: float = 1.0) -> list[float]:
    return [1.0 / (i + 1) ** s for i in range(n)]


def _build_world(log: Log, walks: int = 300) -> list[Plan]:
    from django.contrib.auth import get_user_model
    from django.test.utils import override_settings

    from laksana.catalog.models import Application
    from laksana.demo.catalog import build_catalogue
    from laksana.demo.orgs import build_bali, build_djki, build_generic, build_university
    from laksana.procedures.services import latest_version
    from laksana.worktime.services import calendar_for

    with (
        override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
        transaction.atomic(),
    ):
        now = timezone.now()
        # Each agency adopts the shipped SOPs it runs (its builder does).
        orgs = {"bali": build_bali(), "djki": build_djki(), "utn": build_university()}
        orgs["skm"] = build_generic()
        build_catalogue(orgs["bali"], now)
        users = get_user_model()
        if not users.objects.filter(username="admin").exists():
            users.objects.create_superuser("admin", "admin@bench.laksana.local", None)
    rng = random.Random(SEED)
    plans = []
    for slug, procedure, share in PLANS:
        agency = Agency.objects.get(slug=slug)
        version = latest_version(agency, procedure)
        assert version is not None, f"{slug} has not adopted {procedure}"
        spec = version.spec
        people = list(Person.objects.filter(agency=agency).order_by("pk"))
        staff = [p for p in people if p.vendor_id is None]
        by_unit: dict[int, list[Who]] = {}
        for p in staff:
            by_unit.setdefault(p.unit_id, []).append(_who(p))
        units = [
            (u.pk, u.name, u.short_name) for u in Unit.objects.filter(pk__in=by_unit).order_by("pk")
        ]
        rng.shuffle(units)
        apps = []
        for app in Application.objects.filter(agency=agency).order_by("pk"):
            vendor = app.current_vendor()
            vendor_people = (
                [_who(p) for p in Person.objects.filter(vendor=vendor).order_by("pk")]
                if vendor
                else []
            )
            apps.append((app.pk, app.name, app.short_name, vendor_people))
        rng.shuffle(apps)
        bound: dict[str, list[Who]] = {}
        kinds = {a.id: a.kind for a in spec.actors}
        for binding in ActorBinding.objects.filter(agency=agency, procedure_key=procedure):
            if binding.person_id:
                holders = Person.objects.filter(pk=binding.person_id)
            elif binding.position_id:
                holders = Person.objects.filter(positions=binding.position_id)
            else:
                assert binding.unit_id is not None
                holders = Person.objects.filter(unit_id=binding.unit_id)
            bound[binding.actor_key] = [_who(p) for p in holders.order_by("pk")]
        subordinates: dict[int, list[Who]] = {}
        for p in staff:
            if p.superior_id is not None:
                subordinates.setdefault(p.superior_id, []).append(_who(p))
        templates = templates_for(spec, rng, walks)
        plans.append(
            Plan(
                agency_id=agency.pk,
                slug=agency.slug,
                version_id=version.pk,
                procedure=procedure,
                share=share,
                calendar=calendar_for(agency),
                templates=templates,
                weights=[t.weight for t in templates],
                units=units,
                unit_weights=_zipf(len(units), 0.8),
                unit_people={k: v for k, v in by_unit.items()},
                apps=apps,
                app_weights=_zipf(len(apps), 1.1),
                app_share=0.0 if not apps else (0.5 if procedure.startswith("sop-004") else 0.85),
                bound=bound,
                kinds=kinds,
                subordinates=subordinates,
            )
        )
        log(
            f"  {slug} / {procedure}: {len(templates)} templates, {len(units)} requesting "
            f"units, {len(apps)} applications"
        )
    return plans


# --- the plan of every case -----------------------------------------------------------------


@dataclass
class CaseHead:
    """What is decided for a case before its rows are built (so ids are known up front)."""

    plan: int
    template: int
    stop: int  # actions completed; == len(actions): finished
    hold: bool
    opened: dt.datetime
    unit: int  # index into plan.units
    app: int  # index into plan.apps, -1: none
    seed: int
    reference: str = ""
    pk: int = 0
    step_id: int = 0
    entry_id: int = 0
    file_id: int = 0
    disposition_id: int = 0


def _usable(plan: Plan, t: Template, app: int) -> bool:
    for actor in t.actors:
        kind = plan.kinds[actor]
        if kind is ActorKind.VENDOR:
            if app < 0 or not plan.apps[app][3]:
                return False
        elif kind is not ActorKind.REQUESTING_UNIT and not plan.bound.get(actor):
            return False
    return True


def _heads(plans: list[Plan], cases: int, now: dt.datetime) -> list[CaseHead]:
    rng = random.Random(SEED + 1)
    start = now - dt.timedelta(days=365 * YEARS)
    span = (now - dt.timedelta(days=2) - start).total_seconds()
    shares = [p.share for p in plans]
    cum_templates = [list(_cumulative(p.weights)) for p in plans]
    cum_units = [list(_cumulative(p.unit_weights)) for p in plans]
    cum_apps = [list(_cumulative(p.app_weights)) for p in plans]
    heads = []
    for _ in range(cases):
        pi = rng.choices(range(len(plans)), weights=shares)[0]
        plan = plans[pi]
        is_open = rng.random() < OPEN_SHARE
        if is_open:
            # Open cases are mostly recent; some have been stuck for months.
            back = rng.expovariate(1 / 12) if rng.random() < 0.8 else rng.uniform(0, 365)
            raw = now - dt.timedelta(days=min(back, 365 * YEARS - 1) + 0.1)
        else:
            raw = start + dt.timedelta(seconds=rng.random() * span)
        opened = plan.calendar.next_working_moment(raw).astimezone(dt.UTC)
        if opened >= now:
            opened = plan.calendar.next_working_moment(raw - dt.timedelta(days=4)).astimezone(
                dt.UTC
            )
        opened = opened.replace(second=rng.randrange(60), microsecond=0)
        unit = min(
            bisect.bisect(cum_units[pi], rng.random() * cum_units[pi][-1]), len(plan.units) - 1
        )
        app = -1
        if plan.apps and rng.random() < plan.app_share:
            app = min(
                bisect.bisect(cum_apps[pi], rng.random() * cum_apps[pi][-1]), len(plan.apps) - 1
            )
        ti = -1
        for _try in range(20):
            cand = bisect.bisect(cum_templates[pi], rng.random() * cum_templates[pi][-1])
            cand = min(cand, len(plan.templates) - 1)
            if _usable(plan, plan.templates[cand], app):
                ti = cand
                break
        if ti < 0:
            ti = next(i for i, t in enumerate(plan.templates) if _usable(plan, t, app))
        n = len(plan.templates[ti].actions)
        stop = rng.randrange(n) if is_open else n
        hold = is_open and rng.random() < HOLD_SHARE
        heads.append(CaseHead(pi, ti, stop, hold, opened, unit, app, rng.getrandbits(32)))
    heads.sort(key=lambda h: h.opened)
    return heads


def _cumulative(weights: Sequence[float]) -> Iterator[float]:
    total = 0.0
    for w in weights:
        total += w
        yield total


def _number(
    plans: list[Plan], heads: list[CaseHead], ids: dict[str, int]
) -> dict[tuple[int, int], int]:
    """References (by agency and local year, in order of opening) and the ids of every row."""
    local = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    counters: dict[tuple[int, int], int] = {}
    pk, step, entry, file, disp = (
        ids["case"],
        ids["step"],
        ids["entry"],
        ids["file"],
        ids["disposition"],
    )
    for h in heads:
        plan = plans[h.plan]
        year = h.opened.astimezone(local).year
        value = counters.get((plan.agency_id, year), 0) + 1
        counters[(plan.agency_id, year)] = value
        h.reference = f"{plan.slug}-{year}-{value:06d}"
        t = plan.templates[h.template]
        h.pk, h.step_id, h.entry_id, h.file_id, h.disposition_id = pk, step, entry, file, disp
        pk += 1
        finished = h.stop == len(t.actions)
        step += h.stop + (0 if finished else 1)
        entries = len(t.opening) + t.entries_before[h.stop]
        if not finished:
            act = t.actions[h.stop]
            entries += int(act.claimed) + int(h.hold)
        entry += entries
        file += t.files_before[h.stop]
        disp += t.dispositions_before[h.stop]
    ids.update(case=pk, step=step, entry=entry, file=file, disposition=disp)
    return counters


# --- rows of a chunk of cases ------------------------------------------------------------

_WORLD: dict[str, Any] = {}


def _standard_minutes(standard: Any) -> float:
    amount = float(standard.amount)
    if standard.unit is TimeUnit.DAY:
        return amount * 8 * 60
    if standard.unit is TimeUnit.HOUR:
        return amount * 60
    return amount


class Rows:
    """The rows of a chunk, per table, as tuples of Python values (None: NULL)."""

    def __init__(self) -> None:
        self.cases: list[tuple[Any, ...]] = []
        self.steps: list[tuple[Any, ...]] = []
        self.journal: list[tuple[Any, ...]] = []
        self.files: list[tuple[Any, ...]] = []
        self.dispositions: list[tuple[Any, ...]] = []
        self.checked = 0


def _build_chunk(heads: list[CaseHead], now: dt.datetime, check_every: int) -> Rows:
    plans: list[Plan] = _WORLD["plans"]
    rows = Rows()
    for h in heads:
        _build_case(plans[h.plan], h, now, rows, check_every)
    return rows


def _build_case(plan: Plan, h: CaseHead, now: dt.datetime, rows: Rows, check_every: int) -> None:
    rng = random.Random(h.seed)
    t = plan.templates[h.template]
    cal = plan.calendar
    unit_pk, unit_name, unit_short = plan.units[h.unit]
    unit_people = plan.unit_people[unit_pk]
    app = plan.apps[h.app] if h.app >= 0 else None
    finished = h.stop == len(t.actions)
    # Who works each actor in this case (one person per actor, as in an office).
    workers: dict[str, Who] = {}

    def worker(actor: str) -> Who:
        w = workers.get(actor)
        if w is None:
            kind = plan.kinds[actor]
            if kind is ActorKind.REQUESTING_UNIT:
                pool = unit_people
            elif kind is ActorKind.VENDOR:
                assert app is not None
                pool = app[3]
            else:
                pool = plan.bound[actor]
            w = workers[actor] = pool[rng.randrange(len(pool))]
        return w

    opener = unit_people[rng.randrange(len(unit_people))]
    # Durations in working minutes: a share of the standard (sometimes over it).
    durations = []
    for act in t.actions[: h.stop]:
        if act.standard is not None:
            base = _standard_minutes(act.standard)
            factor = rng.uniform(0.15, 0.9) if rng.random() < 0.85 else rng.uniform(1.0, 2.2)
            durations.append(max(5.0, base * factor))
        else:
            durations.append(min(8 * 60 * 15, rng.lognormvariate(math.log(150), 1.0)))
    opened = h.opened
    limit = now - dt.timedelta(hours=1)
    if durations:
        room = cal.working_minutes_between(opened, limit)
        total = sum(durations)
        if total > room * 0.95:
            scale = max(room, 1.0) * 0.9 / total
            durations = [d * scale for d in durations]
    # The activation times: opening, then every completion.
    times = [opened]
    at = opened
    for d in durations:
        at = cal.add_working_minutes(at, d).astimezone(dt.UTC).replace(microsecond=0)
        at = min(at, limit)
        times.append(at)

    ref = h.reference
    ref_json = json.dumps(ref)
    slots: dict[str, str] = {"REF": ref}
    title_t = rng.choice(SUBJECTS[plan.procedure])
    title = title_t.format(
        app=app[2] or app[1] if app else "aplikasi", unit=unit_short or unit_name
    )
    place = PLACES[min(int(rng.paretovariate(1.2)) - 1, len(PLACES) - 1)]
    description = f"Dilaporkan dari lokasi {place}. Nomor tiket {rng.randrange(10**6):06d}."
    search = " ".join(
        p
        for p in (
            ref,
            title,
            description,
            unit_name,
            unit_short,
            app[1] if app else "",
            app[2] if app else "",
        )
        if p
    ).lower()

    entry_id = h.entry_id
    seq = 0
    prev = ""
    journal = rows.journal
    memo: dict[dt.datetime, str] = {}

    def stamp_of(at: dt.datetime) -> str:
        text = memo.get(at)
        if text is None:
            text = memo[at] = at.isoformat(timespec="microseconds")
        return text

    def add(kind: str, who: Who | None, at: dt.datetime, data: str) -> None:
        nonlocal entry_id, seq, prev
        seq += 1
        stamp = stamp_of(at)
        actor = str(who.pk) if who else "null"
        name = who.name if who else '""'
        payload = (
            f'{{"actor":{actor},"actor_name":{name},"at":"{stamp}","case":{ref_json},'
            f'"data":{data},"kind":"{kind}","prev":"{prev}","seq":{seq}}}'
        )
        digest = hashlib.sha256(payload.encode()).hexdigest()
        if check_every and entry_id % check_every == 0:
            expected = entry_hash(
                ref,
                seq,
                kind,
                who.pk if who else None,
                who.raw if who else "",
                at,
                json.loads(data),
                prev,
            )
            assert expected == digest, (ref, seq, kind, payload)
            rows.checked += 1
        journal.append(
            (
                entry_id,
                h.pk,
                seq,
                kind,
                who.pk if who else None,
                who.raw if who else "",
                stamp,
                data,
                prev,
                digest,
            )
        )
        prev = digest
        entry_id += 1

    for e in t.opening:
        add(e.kind, opener if e.who == "worker" else None, opened, e.data.fill(slots))

    step_id = h.step_id
    file_id = h.file_id
    disp_id = h.disposition_id
    due = t.first_standard and cal.due(opened, t.first_standard).astimezone(dt.UTC)
    cur_step, cur_visit, cur_actor = t.first_step, 1, t.first_actor
    steps = rows.steps
    f_index = 0
    d_index = 0
    for a, act in enumerate(t.actions[: h.stop]):
        start, end = times[a], times[a + 1]
        span_s = (end - start).total_seconds()
        w = worker(act.actor)
        slots[f"B{a}"] = str(w.pk)
        claim_at = start + dt.timedelta(seconds=int(span_s * 0.1))
        recipient: Who | None = None
        step_pk = step_id
        if act.disposition:
            subs = plan.subordinates.get(w.pk) or [
                worker(t.actions[a + 1].actor) if a + 1 < len(t.actions) else w
            ]
            recipient = subs[rng.randrange(len(subs))]
            dispatch = start + dt.timedelta(seconds=int(span_s * 0.3))
            read_at = start + dt.timedelta(seconds=int(span_s * 0.5)) if act.read else None
            instruction = INSTRUCTIONS[rng.randrange(len(INSTRUCTIONS))]
            tag = str(d_index)
            slots["D" + tag] = str(disp_id)
            slots["TO" + tag] = str(recipient.pk)
            slots["TN" + tag] = recipient.name
            slots["IN" + tag] = instruction
            rows.dispositions.append(
                (
                    disp_id,
                    h.pk,
                    step_pk,
                    None,
                    w.pk,
                    recipient.pk,
                    instruction,
                    "biasa",
                    None,
                    "",
                    "done",
                    stamp_of(dispatch),
                    stamp_of(read_at) if read_at else None,
                    stamp_of(end),
                    None,  # overdue_notified_at: done dispositions are never overdue
                )
            )
            disp_id += 1
            d_index += 1
        for art_key, name in act.files:
            slots[f"F{f_index}"] = str(file_id)
            rows.files.append(
                (
                    file_id,
                    h.pk,
                    step_pk,
                    art_key,
                    f"cases/{h.pk}/{uuid.UUID(int=rng.getrandbits(128)).hex}.pdf",
                    "",
                    name,
                    "application/pdf",
                    48213 + 977 * f_index,
                    f"{rng.getrandbits(256):064x}",
                    w.pk,
                    stamp_of(end),
                )
            )
            file_id += 1
            f_index += 1
        for e in act.pre:
            if e.when == "claim":
                add(e.kind, w, claim_at, e.data.fill(slots))
            elif e.when == "dispatch":
                add(e.kind, w, dispatch, e.data.fill(slots))
            else:
                assert recipient is not None and read_at is not None
                add(e.kind, recipient, read_at, e.data.fill(slots))
        for e in act.done:
            add(e.kind, w if e.who == "worker" else None, end, e.data.fill(slots))
        steps.append(
            (
                step_pk,
                h.pk,
                cur_step,
                cur_visit,
                cur_actor,
                "completed",
                stamp_of(start),
                w.pk if act.claimed else None,
                stamp_of(claim_at) if act.claimed else None,
                w.pk,
                stamp_of(end),
                act.outcome,
                stamp_of(due) if due else None,
                None,
                "",
                0.0,
                None,
                None,
                None,
                None,  # assigned_to: nobody reassigned it
            )
        )
        step_id += 1
        if act.next_step:
            cur_step, cur_visit, cur_actor = act.next_step, act.next_visit, act.next_actor
            due = act.next_standard and cal.due(end, act.next_standard).astimezone(dt.UTC)
    status = "finished" if finished else "running"
    end_key = ""
    finished_at = None
    if finished:
        end_key = t.actions[-1].end
        finished_at = stamp_of(times[-1])
    else:
        act = t.actions[h.stop]
        start = times[h.stop]
        w = worker(act.actor)
        claimed_at = hold_at = None
        if act.claimed:
            claimed_at = start + (limit - start) * 0.1
            add("claimed", w, claimed_at, _dumps({"step": cur_step, "visit": cur_visit}))
        reason = ""
        if h.hold:
            hold_at = (start + (limit - start) * 0.4).replace(microsecond=0)
            reason = HOLD_REASONS[rng.randrange(len(HOLD_REASONS))]
            data: dict[str, Any] = {"step": cur_step, "visit": cur_visit, "reason": reason}
            if due:
                data["due_at"] = due.isoformat()
                data["remaining_minutes"] = cal.working_minutes_between(hold_at, due)
            add("held", w, hold_at, _dumps(data))
        steps.append(
            (
                step_id,
                h.pk,
                cur_step,
                cur_visit,
                cur_actor,
                "active",
                stamp_of(start),
                w.pk if claimed_at else None,
                stamp_of(claimed_at) if claimed_at else None,
                None,
                None,
                "",
                stamp_of(due) if due else None,
                stamp_of(hold_at) if hold_at else None,
                reason,
                0.0,
                None,
                None,
                None,
                None,  # assigned_to
            )
        )
    rows.cases.append(
        (
            h.pk,
            plan.agency_id,
            plan.version_id,
            ref,
            title,
            description,
            unit_pk,
            app[0] if app else None,
            opener.pk,
            status,
            end_key,
            t.states[h.stop].fill(slots),
            stamp_of(opened),
            finished_at,
            None,  # due_at: the generated procedures state no overall service time
            seq,
            prev,
            search,
        )
    )


# --- writing ---------------------------------------------------------------------------------

TABLES = (
    ("cases", Case),
    ("steps", CaseStep),
    ("journal", JournalEntry),
    ("files", Attachment),
    ("dispositions", Disposition),
)


def _columns(model: Any) -> list[str]:
    return [f.column for f in model._meta.concrete_fields]


_COPY_ESCAPE = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_text(rows: list[tuple[Any, ...]]) -> bytes:
    """COPY text format. The values hold no tab, newline or carriage return (JSON escapes
    them; names and titles have none): only backslashes need escaping, and NULL."""
    lines = ["\t".join(["\x00" if v is None else str(v) for v in row]) for row in rows]
    text = "\n".join(lines) + "\n" if lines else ""
    if (
        "\r" in text
        or text.count("\n") != len(lines)
        or text.count("\t") != len(lines) * (len(rows[0]) - 1)
    ):
        return "".join(
            "\t".join("\\N" if v is None else str(v).translate(_COPY_ESCAPE) for v in row) + "\n"
            for row in rows
        ).encode()
    return text.replace("\\", "\\\\").replace("\x00", "\\N").encode()


def _chunk_job(args: tuple[list[CaseHead], dt.datetime, int, str]) -> tuple[Any, ...]:
    heads, now, check_every, vendor = args
    rows = _build_chunk(heads, now, check_every)
    tables = [rows.cases, rows.steps, rows.journal, rows.files, rows.dispositions]
    if vendor == "postgresql":
        return (*(_copy_text(t) for t in tables), rows.checked, len(rows.journal))
    return (*tables, rows.checked, len(rows.journal))


def _secondary_indexes(cursor: Any, tables: list[str]) -> list[tuple[str, str]]:
    """Plain (not constraint-backed) indexes of the tables: (name, definition)."""
    cursor.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = current_schema() AND i.tablename = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
        """,
        [tables],
    )
    return list(cursor.fetchall())


def generate(cases: int, *, log: Callable[[str], None]) -> dict[str, Any]:
    """Fill the (empty, migrated) default database with ``cases`` cases over the demo
    agencies and the shipped procedures; returns the counts and the rate."""
    if Case.objects.exists():
        raise ValueError("generate needs an empty database (cases already exist)")
    vendor = connection.vendor
    t0 = time.perf_counter()
    now = timezone.now().replace(microsecond=0)
    log("building the agencies, the procedures and the catalogue ...")
    # Fewer random walks for a small run (the quick benchmark, tests): fewer templates, each
    # still a real path through the engine.
    plans = _build_world(log, walks=300 if cases >= 10_000 else 60)
    log(f"  done in {time.perf_counter() - t0:.1f} s")
    t1 = time.perf_counter()
    heads = _heads(plans, cases, now)
    ids = {"case": 1, "step": 1, "entry": 1, "file": 1, "disposition": 1}
    for key, model in (
        ("case", Case),
        ("step", CaseStep),
        ("entry", JournalEntry),
        ("file", Attachment),
        ("disposition", Disposition),
    ):
        last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
        ids[key] = (last or 0) + 1
    counters = _number(plans, heads, ids)
    log(f"planned {cases:,} cases in {time.perf_counter() - t1:.1f} s")
    _WORLD["plans"] = plans
    check_every = 997  # entries whose hash is also computed by entry_hash
    jobs = [(heads[i : i + CHUNK], now, check_every, vendor) for i in range(0, len(heads), CHUNK)]
    totals = {"cases": 0, "steps": 0, "journal": 0, "files": 0, "dispositions": 0}
    checked = 0
    t2 = time.perf_counter()
    workers = 2 if len(jobs) > 1 else 0
    pool = multiprocessing.get_context("fork").Pool(workers) if workers else None
    results: Iterator[tuple[Any, ...]] = (
        pool.imap(_chunk_job, jobs) if pool is not None else map(_chunk_job, jobs)
    )
    try:
        if vendor == "postgresql":
            checked = _write_postgresql(results, totals, log, len(jobs), t2)
        else:
            checked = _write_sqlite(results, totals, log, len(jobs), t2)
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    with transaction.atomic():
        Counter.objects.bulk_create(
            [Counter(agency_id=a, year=y, value=v) for (a, y), v in sorted(counters.items())]
        )
    t3 = time.perf_counter()
    with transaction.atomic():
        participation.fill(connection)
    log(f"wrote who took part in which cases in {time.perf_counter() - t3:.1f} s")
    t3 = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    log(f"analyzed in {time.perf_counter() - t3:.1f} s")
    seconds = time.perf_counter() - t0
    rows = sum(totals.values())
    log(
        f"generated {totals['cases']:,} cases, {totals['steps']:,} steps, "
        f"{totals['journal']:,} journal entries, {totals['files']:,} attachments, "
        f"{totals['dispositions']:,} dispositions in {seconds:.1f} s "
        f"({rows / seconds:,.0f} rows/s; {checked:,} hashes checked against entry_hash)"
    )
    return {
        "cases": totals["cases"],
        "steps": totals["steps"],
        "journal": totals["journal"],
        "attachments": totals["files"],
        "dispositions": totals["dispositions"],
        "seconds": round(seconds, 1),
        "rows_per_second": round(rows / seconds),
        "backend": vendor,
    }


def _progress(log: Log, done: int, total: int, totals: dict[str, int], t0: float) -> None:
    if done % 20 == 0 or done == total:
        elapsed = time.perf_counter() - t0
        log(
            f"  {totals['cases']:,} cases, {totals['journal']:,} journal entries "
            f"({done}/{total} chunks, {elapsed:.0f} s)"
        )


def _write_postgresql(
    results: Iterator[tuple[Any, ...]], totals: dict[str, int], log: Log, jobs: int, t0: float
) -> int:
    names = [model._meta.db_table for _k, model in TABLES]
    checked = 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        # Foreign-key triggers off during the load (checked below), as pg_restore does.
        cursor.execute("SET LOCAL session_replication_role = replica")
        indexes = _secondary_indexes(cursor, names)
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        raw = cursor.connection
        copying = 0.0
        with raw.cursor() as cur:
            for done, result in enumerate(results, start=1):
                t1 = time.perf_counter()
                for (key, model), data in zip(TABLES, result[:5], strict=True):
                    cols = ", ".join(f'"{c}"' for c in _columns(model))
                    with cur.copy(f'COPY "{model._meta.db_table}" ({cols}) FROM STDIN') as copy:
                        copy.write(data)
                    totals[key] += data.count(b"\n")
                copying += time.perf_counter() - t1
                checked += result[5]
                _progress(log, done, jobs, totals, t0)
        log(f"  {copying:.1f} s of it in COPY")
        t1 = time.perf_counter()
        for _name, definition in indexes:
            cursor.execute(definition)
        log(f"  recreated {len(indexes)} indexes in {time.perf_counter() - t1:.1f} s")
        cursor.execute("SET LOCAL session_replication_role = origin")
        t1 = time.perf_counter()
        _check_references(cursor)
        log(f"  checked the foreign keys in {time.perf_counter() - t1:.1f} s")
        for _key, model in TABLES:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT max(id) FROM {table}), 1))"
            )
    return checked


def _check_references(cursor: Any) -> None:
    """Every foreign key of the loaded tables points at a row (the triggers were off)."""
    for _key, model in TABLES:
        table = model._meta.db_table
        for f in model._meta.concrete_fields:
            if not f.is_relation:
                continue
            assert f.related_model is not None
            target = f.related_model._meta.db_table
            cursor.execute(
                f'SELECT count(*) FROM "{table}" t WHERE t."{f.column}" IS NOT NULL AND NOT '
                f'EXISTS (SELECT 1 FROM "{target}" r WHERE r.id = t."{f.column}")'
            )
            (missing,) = cursor.fetchone()
            if missing:
                raise AssertionError(f"{table}.{f.column}: {missing} rows point at nothing")


def _write_sqlite(
    results: Iterator[tuple[Any, ...]], totals: dict[str, int], log: Log, jobs: int, t0: float
) -> int:
    checked = 0
    # The bulk PRAGMAs cannot change inside a transaction (a test's, say): then the load runs
    # with the normal ones.
    bulk = not connection.in_atomic_block
    if bulk:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = OFF")
            cursor.execute("PRAGMA cache_size = -400000")
            cursor.execute("PRAGMA temp_store = MEMORY")
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            raw = cursor.connection
            for done, result in enumerate(results, start=1):
                for (key, model), data in zip(TABLES, result[:5], strict=True):
                    cols = _columns(model)
                    marks = ", ".join("?" for _ in cols)
                    names = ", ".join(f'"{c}"' for c in cols)
                    raw.executemany(
                        f'INSERT INTO "{model._meta.db_table}" ({names}) VALUES ({marks})',
                        [_sqlite_row(r) for r in data],
                    )
                    totals[key] += len(data)
                checked += result[5]
                _progress(log, done, jobs, totals, t0)
    finally:
        if bulk:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous = NORMAL")
                cursor.execute("PRAGMA cache_size = -2000")
                cursor.execute("PRAGMA temp_store = DEFAULT")
    return checked


def _sqlite_row(row: tuple[Any, ...]) -> tuple[Any, ...]:
    # Django stores datetimes on SQLite as naive UTC text "YYYY-MM-DD HH:MM:SS[.ffffff]".
    return tuple(
        v[:10] + " " + v[11:26].removesuffix(".000000")
        if isinstance(v, str) and len(v) == 32 and v.endswith("+00:00") and v[10] == "T"
        else v
        for v in row
    )


# --- measuring --------------------------------------------------------------------------------


class Samples(list[float]):
    """Wall-clock times (ms) of the rounds, and the CPU time (ms) this process spent in each
    (on a loaded machine the wall clock also counts the time waiting for a core)."""

    cpu: list[float]


def _time(fn: Callable[[], object], rounds: int, warm: int = 2) -> Samples:
    for _ in range(warm):
        fn()
    samples = Samples()
    samples.cpu = []
    for _ in range(rounds):
        start, cpu = time.perf_counter(), time.process_time()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
        samples.cpu.append((time.process_time() - cpu) * 1000)
    return samples


def _figure(
    name: str,
    samples: list[float],
    *,
    target: float | None = None,
    **extra: Any,
) -> Figure:
    p95 = percentile(samples, 0.95)
    return Figure(
        part="scale",
        name=name,
        value=round(p95, 2),
        unit="ms",
        backend=connection.vendor,
        target=target,
        higher_is_better=False,
        extra={
            "p50": round(percentile(samples, 0.50), 2),
            "p95": round(p95, 2),
            "p99": round(percentile(samples, 0.99), 2),
            "rounds": len(samples),
            **(
                {"cpu_p50": round(percentile(samples.cpu, 0.50), 2)}
                if isinstance(samples, Samples) and samples.cpu
                else {}
            ),
            **extra,
        },
    )


def _request(path: str, user: Any, params: dict[str, str] | None = None) -> Any:
    """A GET request of a signed-in user, as the middleware leaves it for a view."""
    from django.contrib.messages.storage import default_storage
    from django.contrib.sessions.backends.cache import SessionStore
    from django.test import RequestFactory

    request = RequestFactory().get(path, params or {})
    request.user = user
    request.session = SessionStore()
    request._messages = default_storage(request)  # type: ignore[attr-defined]
    return request


def _render(response: Any) -> int:
    if hasattr(response, "render"):
        response.render()
    assert response.status_code == 200, response.status_code
    return len(response.content)


def _slowest(fn: Callable[[], object]) -> dict[str, Any]:
    """Run ``fn`` once, noting its statements: how many, and the slowest one's time and (on
    PostgreSQL) its plan (EXPLAIN ANALYZE, BUFFERS), shortened."""
    seen: list[tuple[float, str, Any]] = []

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            seen.append(((time.perf_counter() - start) * 1000, sql, params))

    with connection.execute_wrapper(wrapper):
        fn()
    if not seen:
        return {"queries": 0}
    ms, sql, params = max(seen, key=lambda s: s[0])
    found: dict[str, Any] = {"queries": len(seen), "slowest_ms": round(ms, 2)}
    if connection.vendor == "postgresql" and sql.lstrip().upper().startswith("SELECT"):
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            lines = [str(r[0]).strip() for r in cursor.fetchall()]
        found["plan"] = " | ".join(lines[:8]) + (f" | {lines[-1]}" if len(lines) > 8 else "")
    return found


def measure(*, rounds: int, log: Callable[[str], None]) -> list[Figure]:
    """p50/p95/p99 of the screens over the generated data, through the product's code."""
    from django.contrib.auth import get_user_model

    from laksana.cases import journal
    from laksana.catalog.models import Application
    from laksana.reports.compliance import report_scope
    from laksana.reports.overdue import OverdueFilters, overdue_page

    users = get_user_model()
    admin = users.objects.filter(is_superuser=True).order_by("pk").first()
    assert admin is not None, "generate() first"
    kadis = Person.objects.select_related("user").get(user__username="kadis")
    staff = Person.objects.select_related("user", "unit").get(user__username="dinkes_staf")
    total = Case.objects.count()
    figures: list[Figure] = []

    def add(figure: Figure) -> None:
        figures.append(figure)
        log(
            f"  {figure.name}: p50 {figure.extra['p50']:.1f} ms, p95 {figure.extra['p95']:.1f} "
            f"ms, p99 {figure.extra['p99']:.1f} ms (this process's CPU, p50: "
            f"{figure.extra.get('cpu_p50', 0):.1f} ms; {figure.extra.get('queries', '?')} "
            "queries)"
        )

    log(f"measuring over {total:,} cases, {rounds} rounds each")
    # The case list, first page: the view (query, page, render) and the query alone, for the
    # kinds of users an agency has: an administrator (no gate), a Kepala Dinas (sees most of
    # the agency's cases through the gate) and a member of staff of a requesting unit (sees
    # the unit's cases and those they worked on); each with the list as it opens (no filter)
    # and filtered as they typically filter it.
    lists = [
        (
            "administrator",
            admin,
            {"status": "running", "procedure": "sop-004-pemulihan-gagal-fungsi-ipas"},
        ),
        ("administrator, no filter", admin, {}),
        (
            "Kepala Dinas (visibility gate)",
            kadis.user,
            {"status": "running", "procedure": "sop-002-penanganan-masalah-aplikasi"},
        ),
        ("Kepala Dinas (visibility gate), no filter", kadis.user, {}),
        ("staff of a requesting unit (visibility gate)", staff.user, {"unit": str(staff.unit_id)}),
        ("staff of a requesting unit (visibility gate), no filter", staff.user, {}),
        (
            "Kepala Dinas (visibility gate), another agency's procedure",
            kadis.user,
            {"status": "running", "procedure": "sop-004-pemulihan-gagal-fungsi-ipas"},
        ),
    ]
    # A requesting unit of another agency (of its newest case), which the Kepala Dinas's
    # people never worked for.
    other_unit = (
        Case.objects.exclude(agency_id=kadis.agency_id)
        .values_list("requesting_unit_id", flat=True)
        .first()
    )
    if other_unit is not None:
        lists.append(
            (
                "Kepala Dinas (visibility gate), another agency's requesting unit",
                kadis.user,
                {"unit": str(other_unit)},
            )
        )
    for label, user, params in lists:
        full = {k: params.get(k, "") for k in ("status", "procedure", "unit", "application", "q")}
        matched = _matched(user, full)
        queries = _slowest(functools.partial(_first_page, user, full))
        samples = _time(functools.partial(_first_page, user, full), rounds)
        add(
            _figure(
                f"case list query, first page, {label}",
                samples,
                target=50,
                filters=params,
                matched=matched,
                cases=total,
                **queries,
            )
        )
        samples = _time(functools.partial(_list_page, user, params), rounds)
        add(
            _figure(
                f"case list page, first page, {label}",
                samples,
                target=50,
                filters=params,
                matched=matched,
                cases=total,
            )
        )
    # Search (the list's search box, the API's q): a common and a rare word.
    common, rare = _search_words()
    for label, word in (("common word", common), ("rare word", rare)):
        full = {"status": "", "procedure": "", "unit": "", "application": "", "q": word}
        matched = _matched(admin, full)
        queries = _slowest(functools.partial(_first_page, admin, full))
        samples = _time(functools.partial(_first_page, admin, full), rounds)
        add(
            _figure(
                f"case search, first page, {label} ({word!r})",
                samples,
                target=50,
                word=word,
                matched=matched,
                cases=total,
                **queries,
            )
        )
    # The overdue dashboard, first page (the page function: query, versions, calendars).
    now = timezone.now()
    overdue_total = CaseStep.objects.filter(status="active", due_at__lt=now).count()
    for label, user in (("administrator", admin), ("Kepala Dinas (visibility gate)", kadis.user)):
        scope = report_scope(user)  # type: ignore[arg-type]
        queries = _slowest(functools.partial(overdue_page, scope, OverdueFilters(), now))
        samples = _time(functools.partial(overdue_page, scope, OverdueFilters(), now), rounds)
        add(
            _figure(
                f"overdue dashboard, first page, {label}",
                samples,
                target=100,
                overdue_steps=overdue_total,
                **queries,
            )
        )
    # The application with the most cases: its record page, whole, for an administrator;
    # and the one with the most cases of the Kepala Dinas's agency, for him (the gate).
    most = (
        Case.objects.filter(application__isnull=False)
        .values_list("application_id")
        .annotate(n=models.Count("id"))
        .order_by("-n")
    )
    pages = [
        ("administrator", admin, most.first()),
        ("Kepala Dinas (visibility gate)", kadis.user, most.filter(agency=kadis.agency_id).first()),
    ]
    for label, user, row in pages:
        if row is None:
            continue
        app_id, app_cases = row
        app = Application.objects.get(pk=app_id)
        show = functools.partial(_record_page, user, app_id)
        queries = _slowest(show)
        samples = _time(show, rounds)
        add(
            _figure(
                f"application record page ({label})",
                samples,
                target=200,
                application=app.name,
                cases_about_it=app_cases,
                **queries,
            )
        )
    # Journal verification: whole chains of a sample of cases.
    rng = random.Random(SEED + 2)
    last = Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    first = Case.objects.order_by("pk").values_list("pk", flat=True).first() or 0
    sample_ids = sorted({rng.randint(first, last) for _ in range(max(rounds, 3) * 10)})
    sample = list(Case.objects.filter(pk__in=sample_ids))
    entries = 0
    start = time.perf_counter()
    broken = 0
    for case in sample:
        if journal.verify_case(case) is not None:
            broken += 1
        entries += case.journal_seq
    seconds = time.perf_counter() - start
    rate = entries / seconds if seconds else 0.0
    figures.append(
        Figure(
            part="scale",
            name="journal verification (verify_case over a sample of cases)",
            value=round(rate),
            unit="entries/s",
            backend=connection.vendor,
            extra={"cases": len(sample), "entries": entries, "broken": broken, "seconds": seconds},
        )
    )
    log(f"  journal verification: {rate:,.0f} entries/s ({entries:,} entries, {broken} broken)")
    return figures


def _first_page(user: Any, params: dict[str, str]) -> None:
    from laksana.cases.views import PAGE_SIZE, filtered_cases

    list(filtered_cases(user, params)[: PAGE_SIZE + 1])


def _matched(user: Any, params: dict[str, str]) -> int:
    """How many visible cases match the filters (the whole list, counted once)."""
    from laksana.cases.queries import visible_case_ids
    from laksana.cases.views import matching_cases

    qs = matching_cases(params)
    ids = visible_case_ids(user)
    return (qs if ids is None else qs.filter(pk__in=ids)).count()


def _record_page(user: Any, app_id: int) -> None:
    from laksana.catalog.views import detail

    _render(detail(_request(f"/katalog/{app_id}/", user), app_id))


def _list_page(user: Any, params: dict[str, str]) -> None:
    from laksana.cases.views import case_list

    _render(case_list(_request("/kasus/", user, params)))


def _search_words() -> tuple[str, str]:
    """A word in many cases' search text and one in few (of the generated places)."""
    common = "gangguan"
    rare = PLACES[-1].lower()
    for place in reversed(PLACES):
        if Case.objects.filter(search_text__contains=place.lower()).exists():
            rare = place.lower()
            break
    return common, rare
