"""Class mode's storage: classes, the checker's verdicts their students get, and where the teacher
points the class. SQLAlchemy Core over any database it speaks: a SQLite file by default, PostgreSQL
when replicas share a class. No Streamlit here; `ui/classroom.py` is the app's side.

Only what the dashboard needs is kept, anonymously: per verdict the class, a random id of the
student's session, the step, the checker's own LaTeX of the answer (never the typed text), whether
it was right, the slip and the time. A class and all its rows go when the teacher ends it or after
LIFETIME (a class no student joined: after UNJOINED). The teacher's key is a secret of 192 random
bits; only its SHA-256 is stored.

Hosted for strangers, each rule is per network (`network_of` an address: IPv4, or an IPv6 /64, kept
only as a hash) or per student (a random id the browser keeps), never per server: a network holds
at most NETWORK_CLASSES live classes, wrong join codes are throttled per network and per student
before any lookup while a right code is never charged, a class counts at most `per_network` students
of one network (the teacher raises it for a lab behind one NAT), and a student keeps at most
STUDENT_ROWS answers in a class.

    store = Store(create_engine("sqlite:///classes.sqlite")); store.migrate()
    new = store.start_class(network_of("203.0.113.7"))   # NewClass(code="K7Q2PX", key="...")
    me = student_id()
    store.join(new.code, me, network_of("198.51.100.2"))
    store.record(new.code, me, Answer("se.2", "- P_{se}", False, "sign"))
    store.summary(store.teacher_class(new.key))
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import ipaddress
import os
import re
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

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
    text,
    update,
)
from sqlalchemy.exc import IntegrityError, OperationalError

from core import pages
from core.checker import SLIPS, TARGETS
from core.view import CODE_ALPHABET, CODE_LENGTH, CODE_PATTERN, normal_code  # 31^6 = 8.9e8 codes
from guard.bucket import TokenBucket

SCHEMA_VERSION = 2  # the schema this code reads and writes; migrate() brings a database to it
STUDENT_PATTERN = re.compile(r"[0-9a-f]{16}")
LIFETIME = 24 * 3600.0  # s
UNJOINED = 15 * 60.0  # s a class lives before its first student joins (the teacher's dashboard extends it)
MAX_CLASSES = 500  # live at once on this database, whoever started them
NETWORK_CLASSES = 5  # live at once started from one network
PER_NETWORK = 5  # students of one network a class counts, until its teacher raises it
MAX_PER_NETWORK = 500
MAX_REFUSED = 1000  # refused students a class remembers (to count them on the dashboard)
MAX_KEY = 64  # characters of a teacher key looked up (the keys made here have 32)
MAX_LATEX = 1000  # characters; the checker's LaTeX of its longest accepted answer is under 500
STUDENT_ROWS = 500  # answers kept per student and class: one student cannot fill a class
STUDENT_LIMIT = (20, 60.0)  # at most 20 answers a student in any 60 s
CLASS_LIMIT = (1200, 60.0)  # and 1200 a class: 100 students each answering every 5 s
WRONG_CODES = (0.2, 10)  # wrong join codes a second, after a burst, per network and per student
ENDED_KEPT = 24 * 3600.0  # s an ended class's code is remembered, so its old link says "ended"
CLEAN_EVERY = 60.0  # s between deletions of ended classes, by each server (ui/classroom.py)
WRONG_SHOWN = 6  # most frequent wrong answers on the dashboard
LOCK_WAIT = 1.0  # s a statement waits for another's lock before the user hears the database is down

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
    Column("network", String(16), nullable=False, server_default="", index=True),  # hash of who started it
    Column("per_network", Integer, nullable=False, server_default=str(PER_NETWORK)),
    Column("joined", Boolean, nullable=False, server_default="0"),  # has any student joined
)
students = Table(
    "softmax_students",
    metadata,
    Column("class_code", String(CODE_LENGTH), primary_key=True),
    Column("student", String(16), primary_key=True),
    Column("network", String(16), nullable=False),
    Column("admitted", Boolean, nullable=False, server_default="1"),  # False: refused, their network had its share
    Index("softmax_students_network", "class_code", "network"),
)
hidden = Table(  # wrong answers the teacher took off the projector
    "softmax_hidden",
    metadata,
    Column("class_code", String(CODE_LENGTH), primary_key=True),
    Column("step", String(12), primary_key=True),
    Column("latex", String(MAX_LATEX), primary_key=True),
)
ended = Table(
    "softmax_ended",
    metadata,
    Column("code", String(CODE_LENGTH), primary_key=True),
    Column("until", Double, nullable=False, index=True),
)
secrets_table = Table(  # the servers' shared secrets: replicas and restarts read the same one
    "softmax_secrets",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("value", String(64), nullable=False),
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
# Each version's changes after the first, applied in order by migrate() (new tables it creates itself).
MIGRATIONS: dict[int, list] = {
    2: [
        text("ALTER TABLE softmax_classes ADD COLUMN network VARCHAR(16) DEFAULT '' NOT NULL"),
        text(f"ALTER TABLE softmax_classes ADD COLUMN per_network INTEGER DEFAULT {PER_NETWORK} NOT NULL"),
        text("ALTER TABLE softmax_classes ADD COLUMN joined BOOLEAN DEFAULT false NOT NULL"),
        text("CREATE INDEX IF NOT EXISTS ix_softmax_classes_network ON softmax_classes (network)"),
        # students who answered under version 1 joined then
        text(
            "INSERT INTO softmax_students (class_code, student, network) "
            "SELECT DISTINCT class_code, student, '' FROM softmax_answers"
        ),
        text("UPDATE softmax_classes SET joined = true WHERE code IN (SELECT class_code FROM softmax_students)"),
    ],
}


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
    wrong: tuple[WrongAnswer, ...]  # the most frequent wrong answers the teacher did not hide, most students first
    joined: int = 0  # students in the class
    refused: int = 0  # students refused a place: their network already had per_network here
    per_network: int = PER_NETWORK
    hidden: int = 0  # wrong answers the teacher hid


@dataclass(frozen=True)
class Pace:
    page: str | None  # one of core.pages.NAMES, or None: the teacher points nowhere
    at: float | None  # when the teacher did
    per_network: int = PER_NETWORK  # students of one network the class counts


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


def network_of(address: str | None) -> str:
    """Who a limit per network counts an address as: a short hash of the IPv4 address or of the
    IPv6 /64 (one household or school gets a whole /64), so that no address is stored."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        net = "local" if not address else "unknown"  # no address: this machine, as Streamlit says
    else:
        if ip.version == 6 and ip.ipv4_mapped:
            ip = ip.ipv4_mapped
        net = str(ipaddress.ip_network(f"{ip}/64", strict=False) if ip.version == 6 else ip)
    return hashlib.sha256(f"softmax network {net}".encode()).hexdigest()[:16]


class DatabaseGone(OperationalError):
    """The SQLite file is missing, replaced or read-only: nothing is read or written to a copy no
    one will see again. A SQLAlchemyError, so every caller says the database cannot be reached."""

    def __init__(self, reason: str):
        super().__init__(reason, None, Exception(reason))


class _Throttle:
    """Token buckets by name (a network, a student), the least recently used forgotten past `size`."""

    def __init__(self, rate: float, burst: int, clock: Callable[[], float], size: int = 20_000):
        self.rate, self.burst, self.clock, self.size = rate, burst, clock, size
        self.buckets: OrderedDict[str, TokenBucket] = OrderedDict()

    def bucket(self, name: str) -> TokenBucket:
        found = self.buckets.pop(name, None) or TokenBucket(self.rate, self.burst, self.clock)
        self.buckets[name] = found
        while len(self.buckets) > self.size:
            self.buckets.popitem(last=False)
        return found


def _delete_classes(db, codes, until: float) -> None:
    for table in (answers, students, hidden):
        db.execute(delete(table).where(table.c.class_code.in_(codes)))
    db.execute(delete(classes).where(classes.c.code.in_(codes)))
    db.execute(delete(ended).where(ended.c.code.in_(codes)))
    db.execute(insert(ended), [{"code": code, "until": until} for code in codes])


def _one_writer(db, name: str) -> None:
    """Hold the rest of this writing transaction against others on `name`, so that a count it reads
    still holds when it writes. SQLite's writers already go one at a time (BEGIN IMMEDIATE);
    PostgreSQL's, under READ COMMITTED, would both count 4 of 5 and both write."""
    if db.dialect.name == "postgresql":
        db.execute(text("SELECT pg_advisory_xact_lock(74138, hashtext(:name))"), {"name": name})


def engine_options(url: str) -> dict:
    """create_engine's options for the class store: a statement that meets another's lock waits
    LOCK_WAIT at most, then fails, and the user is told the database cannot be reached."""
    if url.startswith("postgresql"):
        wait = int(LOCK_WAIT * 1000)
        options = f"-c lock_timeout={wait} -c statement_timeout=5000"
        return {"pool_pre_ping": True, "pool_timeout": LOCK_WAIT,
                "connect_args": {"connect_timeout": 2, "options": options}}  # fmt: skip
    return {"pool_pre_ping": True}


def _sqlite_connect(dbapi_connection, _record) -> None:
    # SQLAlchemy's recipe for real SQLite transactions: the driver's own would commit before DDL,
    # and two servers creating the schema at once both saw no version and wrote one.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout={int(LOCK_WAIT * 1000)}")
    # With WAL a commit need not wait for the disk: a crash of the app loses nothing, a power cut
    # at most the last answers; every writer holds the one write lock that much shorter.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(db) -> None:
    db.exec_driver_sql("BEGIN IMMEDIATE" if db.get_execution_options().get("immediate") else "BEGIN")


class Store:
    def __init__(self, engine: Engine, clock: Callable[[], float] = time.time,
                 monotonic: Callable[[], float] = time.monotonic):  # fmt: skip
        self.engine, self.clock = engine, clock
        # Wrong join codes, per network and per student: 10 at once, then one each 5 s. With 100
        # classes running one network finds a class in about 1.4 years; its wrong guesses never
        # slow a student of another network, and a right code is never charged.
        self.wrong_codes = _Throttle(*WRONG_CODES, clock=monotonic)
        self.kept_secrets: dict[str, str] = {}
        self.file = None  # a SQLite database's file, and (device, inode) once migrated
        self.identity = None
        if engine.dialect.name == "sqlite":
            if engine.url.database not in (None, "", ":memory:"):
                self.file = Path(engine.url.database)
            if not event.contains(engine, "connect", _sqlite_connect):
                event.listen(engine, "connect", _sqlite_connect)
                event.listen(engine, "begin", _sqlite_begin)

    def _check_file(self, writing: bool) -> None:
        """The SQLite file this store migrated must still be there, the same file, and writable."""
        if self.identity is None:
            return
        try:
            found = os.stat(self.file)
        except OSError:
            raise DatabaseGone(f"{self.file} is missing") from None
        if (found.st_dev, found.st_ino) != self.identity:
            raise DatabaseGone(f"{self.file} was replaced")
        if writing and not found.st_mode & 0o222:
            raise DatabaseGone(f"{self.file} is read-only")

    @contextlib.contextmanager
    def _reading(self):
        self._check_file(writing=False)
        with self.engine.connect() as db:
            yield db

    @contextlib.contextmanager
    def _writing(self):
        """A transaction that writes. On SQLite it takes the write lock at its start (a reader that
        turns writer fails at once when another wrote meanwhile; waiting at the start does not)."""
        self._check_file(writing=True)
        with self.engine.connect().execution_options(immediate=True) as db, db.begin():
            yield db

    @contextlib.contextmanager
    def _one_at_a_time(self):
        """On SQLite, the processes and threads that start together migrate in turn, under an OS lock
        on a file of its own beside the database: switching to WAL needs the database to itself, and
        SQLite's busy wait does not cover every lock it meets when several connections open a new
        file at once. Never a descriptor of the database file itself: closing one drops every POSIX
        lock this process holds on it, SQLite's own among them, and the next process to close the
        database then deletes the write-ahead log this one still writes to."""
        if self.file is None:
            yield
            return
        self.file.parent.mkdir(parents=True, exist_ok=True)
        with open(self.file.with_name(self.file.name + "-startup"), "ab") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                raw = self.engine.raw_connection()  # outside SQLAlchemy's transaction: the switch needs none
                try:
                    raw.driver_connection.execute("PRAGMA journal_mode=WAL")  # kept by the file: readers never wait
                finally:
                    raw.close()
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        found = os.stat(self.file)
        self.identity = (found.st_dev, found.st_ino)

    def migrate(self) -> None:
        """Create the tables, or bring them to SCHEMA_VERSION; safe when replicas start together
        (one at a time: PostgreSQL under an advisory lock, SQLite under a lock on its file)."""
        with self._one_at_a_time(), self._writing() as db:
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

    def secret(self, name: str) -> bytes:
        """A random secret of 256 bits, made once for the database: every server sharing it (its
        replicas, and itself after a restart) signs with the same one. Kept by this store once read."""
        kept = self.kept_secrets.get(name)
        if kept is None:
            with self._writing() as db:
                _one_writer(db, "secrets")
                kept = db.scalar(select(secrets_table.c.value).where(secrets_table.c.name == name))
                if kept is None:
                    kept = secrets.token_hex(32)
                    db.execute(insert(secrets_table).values(name=name, value=kept))
            self.kept_secrets[name] = kept
        return bytes.fromhex(kept)

    def schema_version(self) -> int | None:
        with self._reading() as db:
            return db.scalar(select(func.max(schema_table.c.version)))

    def start_class(self, network: str) -> NewClass:
        """A new class, started from `network` (network_of the teacher's address). It lives UNJOINED
        until a student joins, then LIFETIME from its start."""
        now = self.clock()
        live = select(func.count()).select_from(classes).where(classes.c.expires > now)
        for _ in range(8):
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            key = secrets.token_urlsafe(24)
            try:
                with self._writing() as db:
                    _one_writer(db, "starts")  # the counts below hold until the insert
                    if db.scalar(live.where(classes.c.network == network)) >= NETWORK_CLASSES:
                        raise Refused("network_classes")
                    if db.scalar(live) >= MAX_CLASSES:
                        raise Refused("server_full")
                    db.execute(delete(ended).where(ended.c.code == code))
                    db.execute(
                        insert(classes).values(code=code, key_hash=key_hash(key), created=now, expires=now + UNJOINED,
                                               network=network, per_network=PER_NETWORK, joined=False)
                    )  # fmt: skip
            except IntegrityError:  # that code is taken: draw another
                continue
            return NewClass(code, key)
        raise Refused("server_full")

    def _live(self, db, code: str):
        return db.execute(select(classes).where(classes.c.code == code, classes.c.expires > self.clock())).first()

    def join(self, text: str | None, student: str, network: str) -> str:
        """The code of the live class `text` names, with `student` (of `network`) in it; Refused
        otherwise. A right code is looked up before any throttle and never charged; a wrong one
        charges the student's network and the student, and once either has guessed too often,
        their next codes wait unread."""
        if not STUDENT_PATTERN.fullmatch(student or ""):
            raise Refused("unknown")
        code = normal_code(text)
        guessers = (self.wrong_codes.bucket(f"n {network}"), self.wrong_codes.bucket(f"s {student}"))
        if any(bucket.wait() > 0 for bucket in guessers):
            raise Refused("busy")
        if code is not None:
            member = and_(students.c.class_code == code, students.c.student == student, students.c.admitted.is_(True))
            with self._reading() as db:
                row = self._live(db, code)
                if row is not None and db.scalar(select(students.c.student).where(member)) is not None:
                    return code  # back after a reconnect, a restart or in a second tab: still one student
                was = (
                    select(classes.c.code)
                    .where(classes.c.code == code)
                    .union(select(ended.c.code).where(ended.c.code == code, ended.c.until > self.clock()))
                )
                if row is None and db.scalar(was) is not None:
                    raise Refused("old_link")  # an old link: no guess, nothing charged
            if row is not None:
                with self._writing() as db:
                    row = self._live(db, code)
                    admitted = row is not None and self._admit(db, row, student, network)
                if admitted:
                    return code
                if row is not None:
                    raise Refused("network_full")
        for bucket in guessers:
            bucket.take()
        raise Refused("unknown")

    def _admit(self, db, row, student: str, network: str) -> bool:
        """Put the student in the class, unless their network has its share: then remember them as
        refused, once however often they retry, for the dashboard's count."""
        _one_writer(db, f"class {row.code}")
        mine = and_(students.c.class_code == row.code, students.c.student == student)
        admitted = db.scalar(select(students.c.admitted).where(mine))
        if admitted:
            return True  # the same student's other tab joined meanwhile
        count = select(func.count()).select_from(students).where(students.c.class_code == row.code)
        here = count.where(students.c.admitted.is_(True), students.c.network == network)
        entry = insert(students).values(class_code=row.code, student=student, network=network)
        if db.scalar(here) >= row.per_network:
            if admitted is None and db.scalar(count.where(students.c.admitted.is_(False))) < MAX_REFUSED:
                db.execute(entry.values(admitted=False))
            return False
        if admitted is None:
            db.execute(entry.values(admitted=True))
        else:
            db.execute(update(students).where(mine).values(admitted=True, network=network))
        if not row.joined:
            db.execute(update(classes).where(classes.c.code == row.code)
                       .values(joined=True, expires=row.created + LIFETIME))  # fmt: skip
        return True

    def teacher_class(self, key: str | None) -> str | None:
        """The code of the live class this key is the teacher's of; None for any other key."""
        if not key or len(key) > MAX_KEY:
            return None
        with self._reading() as db:
            return db.scalar(
                select(classes.c.code).where(classes.c.key_hash == key_hash(key), classes.c.expires > self.clock())
            )

    def keep_open(self, key: str) -> None:
        """The teacher's dashboard is open: a class no student joined yet lives UNJOINED more."""
        if not key or len(key) > MAX_KEY:
            return
        now = self.clock()
        where = and_(classes.c.key_hash == key_hash(key), classes.c.expires > now, classes.c.joined.is_(False))
        with self._reading() as db:
            expires = db.scalar(select(classes.c.expires).where(where))
        if expires is not None and expires < now + UNJOINED - CLEAN_EVERY:
            with self._writing() as db:
                db.execute(update(classes).where(where).values(expires=now + UNJOINED))

    def end_class(self, key: str) -> bool:
        code = self.teacher_class(key)
        if code is None:
            return False
        with self._writing() as db:
            _delete_classes(db, [code], self.clock() + ENDED_KEPT)
        return True

    def clean(self) -> int:
        """Delete the classes past their time, with their answers; how many went."""
        now = self.clock()
        with self._writing() as db:
            gone = db.scalars(select(classes.c.code).where(classes.c.expires <= now)).all()
            if gone:
                _delete_classes(db, gone, now + ENDED_KEPT)
            db.execute(delete(ended).where(ended.c.until <= now))
        return len(gone)

    def record(self, code: str, student: str, answer: Answer) -> None:
        """Keep one verdict a student of the class got; Refused (nothing stored) past a limit, for a
        student who has not joined the class, or for a bad value."""
        if not (CODE_PATTERN.fullmatch(code) and STUDENT_PATTERN.fullmatch(student)):
            raise Refused("unknown")
        if answer.step not in TARGETS or len(answer.latex) > MAX_LATEX or not answer.latex:
            raise Refused("too_long")
        if answer.equivalent != (answer.slip is None) or (answer.slip is not None and answer.slip not in SLIPS):
            raise Refused("unknown")
        now = self.clock()
        with self._reading() as db:  # the limits are read without the write lock: refusals never queue for it
            if self._live(db, code) is None:
                raise Refused("ended")
            joined = select(students.c.student).where(
                students.c.class_code == code, students.c.student == student, students.c.admitted.is_(True)
            )
            if db.scalar(joined) is None:
                raise Refused("not_joined")
            mine, window = STUDENT_LIMIT
            theirs = and_(answers.c.class_code == code, answers.c.student == student)
            recent = and_(answers.c.class_code == code, answers.c.at > now - window)
            count = select(func.count()).select_from(answers)
            if db.scalar(count.where(recent, answers.c.student == student)) >= mine:
                raise Refused("student_rate")
            if db.scalar(count.where(theirs)) >= STUDENT_ROWS:
                raise Refused("student_full")
            if db.scalar(count.where(recent)) >= CLASS_LIMIT[0]:
                raise Refused("class_rate")
        with self._writing() as db:
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
        students gave, but those the teacher hid. No student ids leave the store."""
        latest = (
            select(func.max(answers.c.id).label("id"))
            .where(answers.c.class_code == code)
            .group_by(answers.c.student, answers.c.step)
            .subquery()
        )
        n = func.count(func.distinct(answers.c.student))
        shown = (
            ~select(hidden.c.latex)
            .where(hidden.c.class_code == code, hidden.c.step == answers.c.step, hidden.c.latex == answers.c.latex)
            .exists()
        )
        with self._reading() as db:
            counted = db.execute(
                select(answers.c.step, answers.c.slip, func.count())
                .join(latest, answers.c.id == latest.c.id)
                .group_by(answers.c.step, answers.c.slip)
            ).all()
            answered = db.scalar(select(n).where(answers.c.class_code == code))
            wrong = db.execute(
                select(answers.c.step, answers.c.latex, func.max(answers.c.slip), n)
                .where(answers.c.class_code == code, answers.c.equivalent.is_(False), shown)
                .group_by(answers.c.step, answers.c.latex)
                .order_by(n.desc(), answers.c.step, answers.c.latex)
                .limit(WRONG_SHOWN)
            ).all()
            per_network = db.scalar(select(classes.c.per_network).where(classes.c.code == code)) or PER_NETWORK
            admitted = dict(db.execute(select(students.c.admitted, func.count()).where(students.c.class_code == code)
                                       .group_by(students.c.admitted)).all())  # fmt: skip
            hid = db.scalar(select(func.count()).select_from(hidden).where(hidden.c.class_code == code))
        by_step = {step: {"right": 0} | dict.fromkeys(SLIPS, 0) for step in TARGETS}
        for step, slip, count in counted:
            by_step[step][slip or "right"] += count
        steps = tuple(StepCounts(step, c.pop("right"), c) for step, c in by_step.items())
        wrong = tuple(WrongAnswer(*r) for r in wrong)
        joined, refused = admitted.get(True, 0), admitted.get(False, 0)
        return Summary(answered or 0, steps, wrong, joined, refused, per_network, hid or 0)

    def hide(self, key: str, step: str, latex: str) -> bool:
        """The teacher takes a wrong answer off the dashboard. False for a key that is no teacher's."""
        code = self.teacher_class(key)
        if code is None or step not in TARGETS or not 0 < len(latex) <= MAX_LATEX:
            return False
        with self._writing() as db:
            if db.scalar(select(hidden.c.step).where(hidden.c.class_code == code, hidden.c.step == step,
                                                     hidden.c.latex == latex)) is None:  # fmt: skip
                db.execute(insert(hidden).values(class_code=code, step=step, latex=latex))
        return True

    def show_hidden(self, key: str) -> bool:
        """The teacher puts every hidden wrong answer back."""
        code = self.teacher_class(key)
        if code is None:
            return False
        with self._writing() as db:
            db.execute(delete(hidden).where(hidden.c.class_code == code))
        return True

    def allow_per_network(self, key: str, n: int) -> bool:
        """How many students of one network the class counts (a lab behind one NAT needs its size).
        The count of refused joins starts again: those students join now by reloading the page."""
        code = self.teacher_class(key)
        if code is None or not 1 <= n <= MAX_PER_NETWORK:
            return False
        with self._writing() as db:
            db.execute(update(classes).where(classes.c.code == code).values(per_network=n))
            db.execute(delete(students).where(students.c.class_code == code, students.c.admitted.is_(False)))
        return True

    def point_class(self, key: str, page: str | None) -> bool:
        """The teacher points the class at a page (None: nowhere). False for a key that is no teacher's."""
        code = self.teacher_class(key)
        if code is None or (page is not None and page not in pages.NAMES):
            return False
        with self._writing() as db:
            db.execute(update(classes).where(classes.c.code == code).values(pace_page=page, pace_at=self.clock()))
        return True

    def pace(self, code: str) -> Pace | None:
        """Where the class's teacher points it; None once the class is gone."""
        with self._reading() as db:
            row = self._live(db, code)
        return None if row is None else Pace(row.pace_page, row.pace_at, row.per_network)
