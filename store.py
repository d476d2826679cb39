"""Class mode's storage: classes, the checker's verdicts their students get, and where the teacher
points the class. SQLAlchemy Core over any database it speaks: a SQLite file by default, PostgreSQL
when replicas share a class. No Streamlit here; `classroom.py` is the app's side.

Only what the dashboard needs is kept, anonymously: per verdict the class, a random id of the
student's session, the step, the checker's own LaTeX of the answer (never the typed text), whether
it was right, the slip and the time. A class and all its rows go when the teacher ends it or after
LIFETIME. The teacher's key is a secret of 192 random bits; only its SHA-256 is stored.

    store = Store(create_engine("sqlite:///classes.sqlite")); store.migrate()
    new = store.start_class()                  # NewClass(code="K7Q2PX", key="...")
    store.record(new.code, student_id(), Answer("se.2", "- P_{se}", False, "sign"))
    store.summary(store.teacher_class(new.key))
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import (
    Boolean,
    Column,
    Double,
    Engine,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    delete,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from core.checker import SLIPS, TARGETS
from core.slides import PAGES
from core.view import CODE_ALPHABET, CODE_LENGTH, CODE_PATTERN, normal_code  # 31^6 = 8.9e8 codes
from limits import TokenBucket

SCHEMA_VERSION = 1  # the schema this code reads and writes; migrate() brings a database to it
STUDENT_PATTERN = re.compile(r"[0-9a-f]{16}")
LIFETIME = 24 * 3600.0  # s
MAX_CLASSES = 500  # live at once: anyone may start one
MAX_KEY = 64  # characters of a teacher key looked up (the keys made here have 32)
MAX_LATEX = 1000  # characters; the checker's LaTeX of its longest accepted answer is under 500
MAX_ROWS = 20_000  # answers kept per class
STUDENT_LIMIT = (20, 60.0)  # at most 20 answers a student in any 60 s
CLASS_LIMIT = (1200, 60.0)  # and 1200 a class: 100 students each answering every 5 s
CLEAN_EVERY = 60.0  # s between deletions of ended classes, by each server (classroom.py)
WRONG_SHOWN = 6  # most frequent wrong answers on the dashboard

metadata = MetaData()
schema_table = Table("softmax_schema", metadata, Column("version", Integer, nullable=False))
classes = Table(
    "softmax_classes",
    metadata,
    Column("code", String(CODE_LENGTH), primary_key=True),
    Column("key_hash", String(64), nullable=False, unique=True),
    Column("created", Double, nullable=False),
    Column("expires", Double, nullable=False, index=True),
    Column("pace_page", String(32)),  # where the teacher points the class, if anywhere
    Column("pace_at", Double),
)
answers = Table(
    "softmax_answers",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("class_code", String(CODE_LENGTH), nullable=False),
    Column("student", String(16), nullable=False),
    Column("step", String(12), nullable=False),
    Column("latex", String(MAX_LATEX), nullable=False),
    Column("equivalent", Boolean, nullable=False),
    Column("slip", String(12)),
    Column("at", Double, nullable=False),
    Index("softmax_answers_class_at", "class_code", "at"),
    Index("softmax_answers_student_at", "class_code", "student", "at"),
)
# Each version's changes after the first, applied in order by migrate(): {2: [DDL, ...], ...}.
MIGRATIONS: dict[int, list] = {}


@dataclass(frozen=True)
class NewClass:
    code: str
    key: str  # shown once, in the teacher's link; never stored


@dataclass(frozen=True)
class Answer:
    step: str  # one of core.checker.TARGETS, "se.1" ... "vi.result"
    latex: str  # the checker's LaTeX of the answer
    equivalent: bool
    slip: str | None  # None when right, else one of core.checker.SLIPS


@dataclass(frozen=True)
class StepCounts:
    step: str
    right: int
    slips: dict[str, int]  # by slip, each of SLIPS

    @property
    def answered(self) -> int:
        return self.right + sum(self.slips.values())


@dataclass(frozen=True)
class WrongAnswer:
    step: str
    latex: str
    slip: str
    students: int  # how many students gave it


@dataclass(frozen=True)
class Summary:
    students: int  # who answered anything
    steps: tuple[StepCounts, ...]  # every step, in TARGETS order; a student counts by their latest answer
    wrong: tuple[WrongAnswer, ...]  # the most frequent wrong answers, most students first


@dataclass(frozen=True)
class Pace:
    page: str | None  # one of core.slides.PAGES, or None: the teacher points nowhere
    at: float | None  # when the teacher did


class Refused(ValueError):
    """What the store will not do; `key` names the reason for translation (i18n `class_<key>`)."""

    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def key_hash(key: str) -> str:
    # The key has 192 random bits: a fast hash is enough, there is nothing to guess.
    return hashlib.sha256(key.encode()).hexdigest()


def student_id() -> str:
    return secrets.token_hex(8)


def _delete_classes(db, codes) -> None:
    db.execute(delete(answers).where(answers.c.class_code.in_(codes)))
    db.execute(delete(classes).where(classes.c.code.in_(codes)))


def _sqlite_connect(dbapi_connection, _record) -> None:
    # SQLAlchemy's recipe for real SQLite transactions: the driver's own would commit before DDL,
    # and two servers creating the schema at once both saw no version and wrote one.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=5000")  # first: switching to WAL below waits for the lock too
    cursor.execute("PRAGMA journal_mode=WAL")  # readers do not wait for a writer
    cursor.close()


def _sqlite_begin(db) -> None:
    db.exec_driver_sql("BEGIN IMMEDIATE" if db.get_execution_options().get("immediate") else "BEGIN")


class Store:
    def __init__(self, engine: Engine, clock: Callable[[], float] = time.time,
                 unknown_codes: TokenBucket | None = None):  # fmt: skip
        self.engine, self.clock = engine, clock
        # Lookups of codes that name no live class, for every session of this server: guessing
        # codes gets at most 2 a second after 40, about 3 months a hit with 100 classes running.
        self.unknown_codes = unknown_codes or TokenBucket(rate=2.0, burst=40)
        if engine.dialect.name == "sqlite" and not event.contains(engine, "connect", _sqlite_connect):
            event.listen(engine, "connect", _sqlite_connect)
            event.listen(engine, "begin", _sqlite_begin)

    @contextlib.contextmanager
    def _writing(self):
        """A transaction that writes. On SQLite it takes the write lock at its start (a reader that
        turns writer fails at once when another wrote meanwhile; waiting at the start does not)."""
        with self.engine.connect().execution_options(immediate=True) as db, db.begin():
            yield db

    def migrate(self) -> None:
        """Create the tables, or bring them to SCHEMA_VERSION; safe when replicas start together
        (one at a time: PostgreSQL under an advisory lock, SQLite holding its write lock)."""
        with self._writing() as db:
            if db.dialect.name == "postgresql":
                db.exec_driver_sql("SELECT pg_advisory_xact_lock(74137)")  # one replica at a time
            metadata.create_all(db)
            version = db.scalar(select(func.max(schema_table.c.version)))
            if version is None:
                db.execute(insert(schema_table).values(version=SCHEMA_VERSION))
                return
            if version > SCHEMA_VERSION:
                raise RuntimeError(f"The class database has schema {version}; this app knows up to {SCHEMA_VERSION}.")
            for step in range(version + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[step]:
                    db.execute(statement)
            db.execute(update(schema_table).values(version=SCHEMA_VERSION))

    def schema_version(self) -> int | None:
        with self.engine.connect() as db:
            return db.scalar(select(func.max(schema_table.c.version)))

    def start_class(self) -> NewClass:
        self.clean()
        now = self.clock()
        with self._writing() as db:
            live = db.scalar(select(func.count()).select_from(classes).where(classes.c.expires > now))
            if live >= MAX_CLASSES:
                raise Refused("server_full")
        for _ in range(8):
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            key = secrets.token_urlsafe(24)
            try:
                with self._writing() as db:
                    db.execute(
                        insert(classes).values(code=code, key_hash=key_hash(key), created=now, expires=now + LIFETIME)
                    )
            except IntegrityError:  # that code is taken: draw another
                continue
            return NewClass(code, key)
        raise Refused("server_full")

    def _live(self, db, code: str):
        return db.execute(
            select(classes.c.code, classes.c.pace_page, classes.c.pace_at).where(
                classes.c.code == code, classes.c.expires > self.clock()
            )
        ).first()

    def join(self, text: str | None) -> str:
        """The code of the live class `text` names, for a student joining it; Refused otherwise."""
        code = normal_code(text)
        if self.unknown_codes.wait() > 0:
            raise Refused("busy")
        if code is not None:
            with self.engine.connect() as db:
                if self._live(db, code) is not None:
                    return code
        self.unknown_codes.take()
        raise Refused("unknown")

    def teacher_class(self, key: str | None) -> str | None:
        """The code of the live class this key is the teacher's of; None for any other key."""
        if not key or len(key) > MAX_KEY:
            return None
        with self.engine.connect() as db:
            return db.scalar(
                select(classes.c.code).where(classes.c.key_hash == key_hash(key), classes.c.expires > self.clock())
            )

    def end_class(self, key: str) -> bool:
        code = self.teacher_class(key)
        if code is None:
            return False
        with self._writing() as db:
            _delete_classes(db, [code])
        return True

    def clean(self) -> int:
        """Delete the classes past their time, with their answers; how many went."""
        now = self.clock()
        with self._writing() as db:
            gone = db.scalars(select(classes.c.code).where(classes.c.expires <= now)).all()
            if gone:
                _delete_classes(db, gone)
        return len(gone)

    def record(self, code: str, student: str, answer: Answer) -> None:
        """Keep one verdict a student got; Refused (nothing stored) past a limit or for a bad value."""
        if not (CODE_PATTERN.fullmatch(code) and STUDENT_PATTERN.fullmatch(student)):
            raise Refused("unknown")
        if answer.step not in TARGETS or len(answer.latex) > MAX_LATEX or not answer.latex:
            raise Refused("too_long")
        if answer.equivalent != (answer.slip is None) or (answer.slip is not None and answer.slip not in SLIPS):
            raise Refused("unknown")
        now = self.clock()
        with self._writing() as db:
            if self._live(db, code) is None:
                raise Refused("ended")
            mine, window = STUDENT_LIMIT
            recent = and_(answers.c.class_code == code, answers.c.at > now - window)
            count = select(func.count()).select_from(answers)
            if db.scalar(count.where(recent, answers.c.student == student)) >= mine:
                raise Refused("student_rate")
            if db.scalar(count.where(recent)) >= CLASS_LIMIT[0]:
                raise Refused("class_rate")
            if db.scalar(count.where(answers.c.class_code == code)) >= MAX_ROWS:
                raise Refused("class_full")
            db.execute(
                insert(answers).values(
                    class_code=code,
                    student=student,
                    step=answer.step,
                    latex=answer.latex,
                    equivalent=answer.equivalent,
                    slip=answer.slip,
                    at=now,
                )
            )

    def summary(self, code: str) -> Summary:
        """The dashboard's numbers: per step, each student's latest verdict; the wrong answers most
        students gave. No student ids leave the store."""
        latest = (
            select(func.max(answers.c.id).label("id"))
            .where(answers.c.class_code == code)
            .group_by(answers.c.student, answers.c.step)
            .subquery()
        )
        n = func.count(func.distinct(answers.c.student))
        with self.engine.connect() as db:
            counted = db.execute(
                select(answers.c.step, answers.c.slip, func.count())
                .join(latest, answers.c.id == latest.c.id)
                .group_by(answers.c.step, answers.c.slip)
            ).all()
            students = db.scalar(select(n).where(answers.c.class_code == code))
            wrong = db.execute(
                select(answers.c.step, answers.c.latex, func.max(answers.c.slip), n)
                .where(answers.c.class_code == code, answers.c.equivalent.is_(False))
                .group_by(answers.c.step, answers.c.latex)
                .order_by(n.desc(), answers.c.step, answers.c.latex)
                .limit(WRONG_SHOWN)
            ).all()
        by_step = {step: {"right": 0} | dict.fromkeys(SLIPS, 0) for step in TARGETS}
        for step, slip, count in counted:
            by_step[step][slip or "right"] += count
        steps = tuple(StepCounts(step, c.pop("right"), c) for step, c in by_step.items())
        return Summary(students or 0, steps, tuple(WrongAnswer(*row) for row in wrong))

    def point_class(self, key: str, page: str | None) -> bool:
        """The teacher points the class at a page (None: nowhere). False for a key that is no teacher's."""
        code = self.teacher_class(key)
        if code is None or (page is not None and page not in PAGES):
            return False
        with self._writing() as db:
            db.execute(update(classes).where(classes.c.code == code).values(pace_page=page, pace_at=self.clock()))
        return True

    def pace(self, code: str) -> Pace | None:
        """Where the class's teacher points it; None once the class is gone."""
        with self.engine.connect() as db:
            row = self._live(db, code)
        return None if row is None else Pace(row.pace_page, row.pace_at)
