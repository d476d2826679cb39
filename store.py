"""Class mode's storage: classes, the checker's verdicts their students get, and where the teacher
points the class. SQLAlchemy Core over any database it speaks: a SQLite file by default, PostgreSQL
when replicas share a class. No Streamlit here; `ui/classroom.py` is the app's side.

Only what the dashboard needs is kept, anonymously: per verdict the class, a random id of the
student's browser, the step, the checker's own LaTeX of the answer (never the typed text), whether
it was right, the slip and the time; per student a random nickname ("otter-42") the student sees
too, so the teacher can tell who is in without a name. A class and all its rows go when the teacher
ends it, or TEACHER_AWAY after its dashboard was last open. The teacher's key is a secret of 192
random bits; only its SHA-256 is stored.

Hosted for strangers and for a class behind one school address, each rule is per network
(`network_of` an address: IPv4, or an IPv6 /64, kept only as a hash), per browser or per class,
never per server, and kept in the database, so N replicas give no more than one:
- a network runs at most NETWORK_CLASSES live classes, a teacher's browser BROWSER_CLASSES, and a
  network starts at most STARTS;
- the class's link carries a ticket (`ticket`: an HMAC of the code) that cannot be guessed and is
  never throttled, nor is a browser already in the class; only typed codes are: wrong ones charge
  the network and the browser before any lookup (WRONG_CODES);
- a class counts at most `per_network` students of one network; past it, or once the teacher has
  locked joining, a student waits on the class's list until the teacher lets them in; the teacher
  can remove a student (their answers leave the counts);
- the projector lists a wrong answer only when two students gave it, or the teacher revealed it;
- a student keeps at most STUDENT_ROWS answers in a class.

    store = Store(create_engine("sqlite:///classes.sqlite")); store.migrate()
    new = store.start_class(network_of("203.0.113.7"))   # NewClass(code="K7Q2PX", key="...")
    me = student_id()
    store.join(new.code, me, network_of("198.51.100.2"), ticket=store.ticket(new.code))
    store.record(new.code, me, Answer("se.2", "- P_{se}", False, "sign"))
    store.summary(store.teacher_class(new.key))
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import hmac
import ipaddress
import os
import re
import secrets
import time
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
    case,
    delete,
    event,
    func,
    insert,
    inspect,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.exc import IntegrityError, OperationalError

from core import pages
from core.checker import SLIPS, TARGETS
from core.view import CODE_ALPHABET, CODE_LENGTH, CODE_PATTERN, TICKET_LENGTH, normal_code  # 31^6 = 8.9e8 codes

SCHEMA_VERSION = 3  # the schema this code reads and writes; migrate() brings a database to it
STUDENT_PATTERN = re.compile(r"[0-9a-f]{16}")
TEACHER_AWAY = 3 * 3600.0  # s a class lives after its teacher's dashboard was last open
NETWORK_CLASSES = 10  # live at once started from one network (a school's teachers share its address)
BROWSER_CLASSES = 3  # live at once started from one teacher's browser
STARTS = (1 / 120, 10)  # classes a network starts a second, after a burst
PER_NETWORK = 5  # students of one network a class counts, until its teacher raises it
MAX_PER_NETWORK = 500
MAX_REFUSED = 1000  # students a class keeps waiting (removed ones included)
TICKET_SECRET = "join-tickets"  # the store's secret that signs a class link's ticket
# A student's nickname: an animal and a number, shown to them and to their teacher (i18n `animal_<name>`).
ANIMALS = (
    "otter",
    "fox",
    "owl",
    "panda",
    "koala",
    "tiger",
    "heron",
    "lynx",
    "seal",
    "crane",
    "gecko",
    "bison",
    "yak",
    "robin",
    "hare",
    "moose",
    "swan",
    "wolf",
    "whale",
    "finch",
    "llama",
    "puffin",
    "badger",
    "dolphin",
)
NICKNAME_PATTERN = re.compile(f"(?:{'|'.join(ANIMALS)})-[1-9][0-9]")
MAX_KEY = 64  # characters of a teacher key looked up (the keys made here have 32)
MAX_LATEX = 1000  # characters; the checker's LaTeX of its longest accepted answer is under 500
STUDENT_ROWS = 500  # answers kept per student and class: one student cannot fill a class
STUDENT_LIMIT = (20, 60.0)  # at most 20 answers a student in any 60 s
CLASS_LIMIT = (1200, 60.0)  # and 1200 a class: 100 students each answering every 5 s
WRONG_CODES = (0.2, 10)  # wrong typed join codes a second, after a burst, per network and per browser
THROTTLE_KEPT = 3600.0  # s after its last charge a throttle's row goes (every bucket is full by then)
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
    Column("locked", Boolean, nullable=False, server_default="0"),  # new students wait for the teacher
    Column("browser", String(16), nullable=False, server_default=""),  # the teacher's browser that started it
)
students = Table(
    "softmax_students",
    metadata,
    Column("class_code", String(CODE_LENGTH), primary_key=True),
    Column("student", String(16), primary_key=True),
    Column("network", String(16), nullable=False),
    Column("admitted", Boolean, nullable=False, server_default="1"),  # False: waiting, or removed
    Column("nickname", String(24), nullable=False, server_default=""),
    Column("removed", Boolean, nullable=False, server_default="0"),  # by the teacher: never admitted again
    Column("at", Double, nullable=False, server_default="0"),  # when they first came
    Index("softmax_students_network", "class_code", "network"),
)
hidden = Table(  # wrong answers the teacher took off the projector
    "softmax_hidden",
    metadata,
    Column("class_code", String(CODE_LENGTH), primary_key=True),
    Column("step", String(12), primary_key=True),
    Column("latex", String(MAX_LATEX), primary_key=True),
)
revealed = Table(  # wrong answers only one student gave, that the teacher put on the projector
    "softmax_revealed",
    metadata,
    Column("class_code", String(CODE_LENGTH), primary_key=True),
    Column("step", String(12), primary_key=True),
    Column("latex", String(MAX_LATEX), primary_key=True),
)
throttles = Table(  # token buckets every replica shares: a name's tokens as of `at`
    "softmax_throttles",
    metadata,
    Column("name", String(40), primary_key=True),
    Column("tokens", Double, nullable=False),
    Column("at", Double, nullable=False, index=True),
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


@dataclass(frozen=True)
class AddColumn:
    """A migration's ALTER TABLE ... ADD COLUMN, skipped where migrate()'s create_all has just made the
    table with every column (a table new since the database's version)."""

    table: str
    column: str  # its name and definition

    def run(self, db) -> None:
        if self.column.split()[0] not in {c["name"] for c in inspect(db).get_columns(self.table)}:
            db.execute(text(f"ALTER TABLE {self.table} ADD COLUMN {self.column}"))


# Each version's changes after the first, applied in order by migrate() (new tables it creates itself).
MIGRATIONS: dict[int, list] = {
    2: [
        AddColumn("softmax_classes", "network VARCHAR(16) DEFAULT '' NOT NULL"),
        AddColumn("softmax_classes", f"per_network INTEGER DEFAULT {PER_NETWORK} NOT NULL"),
        AddColumn("softmax_classes", "joined BOOLEAN DEFAULT false NOT NULL"),
        text("CREATE INDEX IF NOT EXISTS ix_softmax_classes_network ON softmax_classes (network)"),
        # students who answered under version 1 joined then
        text(
            "INSERT INTO softmax_students (class_code, student, network) "
            "SELECT DISTINCT class_code, student, '' FROM softmax_answers"
        ),
        text("UPDATE softmax_classes SET joined = true WHERE code IN (SELECT class_code FROM softmax_students)"),
    ],
    3: [
        AddColumn("softmax_classes", "locked BOOLEAN DEFAULT false NOT NULL"),
        AddColumn("softmax_classes", "browser VARCHAR(16) DEFAULT '' NOT NULL"),
        AddColumn("softmax_students", "nickname VARCHAR(24) DEFAULT '' NOT NULL"),
        AddColumn("softmax_students", "removed BOOLEAN DEFAULT false NOT NULL"),
        AddColumn("softmax_students", "at DOUBLE PRECISION DEFAULT 0 NOT NULL"),
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
    wrong: tuple[WrongAnswer, ...]  # the wrong answers the projector lists: two students gave each, or the
    # teacher revealed it, and the teacher did not hide it; most students first
    joined: int = 0  # students in the class
    waiting: int = 0  # students waiting for the teacher to let them in
    per_network: int = PER_NETWORK
    hidden: int = 0  # wrong answers the teacher hid
    singles: tuple[WrongAnswer, ...] = ()  # wrong answers one student gave, not on the projector (the teacher's eyes)
    locked: bool = False  # new students wait for the teacher


@dataclass(frozen=True)
class Seat:
    nickname: str  # "otter-42" (ANIMALS), as the student and the teacher see it; "" for a student of schema 2
    state: str  # "in", "waiting" (for the teacher) or "removed" (by the teacher)
    answers: int = 0


@dataclass(frozen=True)
class Record:
    """One stored answer, as the teacher's export lists it: no id, no address."""

    at: float
    nickname: str
    step: str
    latex: str
    slip: str | None  # None: right


@dataclass(frozen=True)
class Pace:
    page: str | None  # one of core.pages.NAMES, or None: the teacher points nowhere
    at: float | None  # when the teacher did
    per_network: int = PER_NETWORK  # students of one network the class counts


class Refused(ValueError):
    """What the store will not do; `key` names the reason for translation (i18n `class_<key>`), and
    `values` fill its placeholders (a waiting student's nickname)."""

    def __init__(self, key: str, **values: str):
        super().__init__(key)
        self.key, self.values = key, values


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


def _tokens(row, rate: float, burst: int, now: float) -> float:
    """A bucket's tokens now: `burst` when it has no row (never charged, or full long since)."""
    return float(burst) if row is None else min(float(burst), row.tokens + max(0.0, now - row.at) * rate)


def _bucket(db, name: str):
    return db.execute(select(throttles).where(throttles.c.name == name)).first()


def _take(db, name: str, rate: float, burst: int, now: float) -> bool:
    """Take one token from the shared bucket `name`, inside a writing transaction; False if it has none."""
    _one_writer(db, f"throttle {name}")
    row = _bucket(db, name)
    tokens = _tokens(row, rate, burst, now)
    if tokens < 1:
        return False
    if row is None:
        db.execute(insert(throttles).values(name=name, tokens=tokens - 1, at=now))
    else:
        db.execute(update(throttles).where(throttles.c.name == name).values(tokens=tokens - 1, at=now))
    return True


def _delete_classes(db, codes, until: float) -> None:
    for table in (answers, students, hidden, revealed):
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
    def __init__(self, engine: Engine, clock: Callable[[], float] = time.time):
        self.engine, self.clock = engine, clock  # the wall clock: replicas share the limits it times
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
                for change in MIGRATIONS[step]:
                    change.run(db) if isinstance(change, AddColumn) else db.execute(change)
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

    def ticket(self, code: str) -> str:
        """What the class's link and QR code carry beside its code: whoever has it joins without
        any throttle, and no one can make it up (an HMAC of the code with the database's secret)."""
        return hmac.new(self.secret(TICKET_SECRET), code.encode(), hashlib.sha256).hexdigest()[:TICKET_LENGTH]

    def start_class(self, network: str, browser: str = "") -> NewClass:
        """A new class, started from `network` (network_of the teacher's address) by `browser` (the
        teacher's browser id, "" if unknown). It lives TEACHER_AWAY, and as long again after each
        look at its dashboard."""
        now = self.clock()
        live = select(func.count()).select_from(classes).where(classes.c.expires > now)
        for _ in range(8):
            code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
            key = secrets.token_urlsafe(24)
            try:
                with self._writing() as db:
                    _one_writer(db, "starts")  # the counts below hold until the insert
                    if browser and db.scalar(live.where(classes.c.browser == browser)) >= BROWSER_CLASSES:
                        raise Refused("browser_classes")
                    if db.scalar(live.where(classes.c.network == network)) >= NETWORK_CLASSES:
                        raise Refused("network_classes")
                    if not _take(db, f"start {network}", *STARTS, now):
                        raise Refused("starts")
                    db.execute(delete(ended).where(ended.c.code == code))
                    db.execute(
                        insert(classes).values(
                            code=code,
                            key_hash=key_hash(key),
                            created=now,
                            expires=now + TEACHER_AWAY,
                            network=network,
                            browser=browser,
                            per_network=PER_NETWORK,
                            joined=False,
                        )
                    )
            except IntegrityError:  # that code is taken: draw another
                continue
            return NewClass(code, key)
        raise Refused("starts")

    def _live(self, db, code: str):
        return db.execute(select(classes).where(classes.c.code == code, classes.c.expires > self.clock())).first()

    def _seat_row(self, db, code: str, student: str):
        return db.execute(
            select(students.c.admitted, students.c.removed, students.c.nickname).where(
                students.c.class_code == code, students.c.student == student
            )
        ).first()

    def join(self, text: str | None, student: str, network: str, ticket: str | None = None) -> str:
        """The code of the live class `text` names, with `student` (of `network`) in it; Refused
        otherwise ("waiting" with the student's nickname: on the class's list, for the teacher).

        A browser already in the class, or one that brings the class link's `ticket`, is never
        throttled. A typed code is: a network or a browser that guessed too often waits, unread,
        and each wrong code charges both (in the database: every replica counts the same)."""
        if not STUDENT_PATTERN.fullmatch(student or ""):
            raise Refused("unknown")
        code = normal_code(text)
        row = None
        if code is not None:
            with self._reading() as db:
                row = self._live(db, code)
                seat = None if row is None else self._seat_row(db, code, student)
            if seat is not None and seat.admitted:
                return code  # back after a reconnect, a restart or in a second tab: still one student
            if seat is not None:
                raise Refused("removed" if seat.removed else "waiting", nickname=seat.nickname)
        linked = code is not None and ticket is not None and hmac.compare_digest(str(ticket), self.ticket(code))
        guessers = (f"code n {network}", f"code s {student}")
        if not linked:
            now = self.clock()
            with self._reading() as db:
                if any(_tokens(_bucket(db, name), *WRONG_CODES, now) < 1 for name in guessers):
                    raise Refused("busy")
        if code is not None and row is None:
            was = (
                select(classes.c.code)
                .where(classes.c.code == code)
                .union(select(ended.c.code).where(ended.c.code == code, ended.c.until > self.clock()))
            )
            with self._reading() as db:
                if db.scalar(was) is not None:
                    raise Refused("old_link")  # an old link: no guess, nothing charged
        if row is not None:
            with self._writing() as db:
                row = self._live(db, code)
                seat = None if row is None else self._admit(db, row, student, network)
            if seat is not None and seat.state == "in":
                return code
            if seat is not None:
                raise Refused(seat.state, nickname=seat.nickname) if seat.nickname else Refused("class_full")
        if not linked:
            with self._writing() as db:
                for name in guessers:
                    _take(db, name, *WRONG_CODES, self.clock())
        raise Refused("unknown")

    def _nickname(self, db, code: str) -> str:
        taken = set(db.scalars(select(students.c.nickname).where(students.c.class_code == code)))
        for _ in range(50):
            nickname = f"{secrets.choice(ANIMALS)}-{10 + secrets.randbelow(90)}"
            if nickname not in taken:
                return nickname
        return next((f"{a}-{n}" for a in ANIMALS for n in range(10, 100) if f"{a}-{n}" not in taken), "")

    def _admit(self, db, row, student: str, network: str) -> Seat:
        """Put the student in the class, unless it is locked or their network has its share: then on
        its waiting list (while the list has room), once however often they retry."""
        _one_writer(db, f"class {row.code}")
        seat = self._seat_row(db, row.code, student)
        if seat is not None and (seat.admitted or seat.removed):
            return Seat(seat.nickname, "in" if seat.admitted else "removed")  # another tab meanwhile
        here = (
            select(func.count())
            .select_from(students)
            .where(students.c.class_code == row.code, students.c.admitted.is_(True), students.c.network == network)
        )
        admitted = not row.locked and db.scalar(here) < row.per_network
        if seat is not None:
            if admitted:
                db.execute(
                    update(students)
                    .where(students.c.class_code == row.code, students.c.student == student)
                    .values(admitted=True, network=network)
                )
            nickname = seat.nickname
        else:
            outside = (
                select(func.count())
                .select_from(students)
                .where(students.c.class_code == row.code, students.c.admitted.is_(False))
            )
            if not admitted and db.scalar(outside) >= MAX_REFUSED:
                return Seat("", "waiting")
            nickname = self._nickname(db, row.code)
            db.execute(
                insert(students).values(
                    class_code=row.code,
                    student=student,
                    network=network,
                    admitted=admitted,
                    nickname=nickname,
                    at=self.clock(),
                )
            )
        if admitted and not row.joined:
            db.execute(update(classes).where(classes.c.code == row.code).values(joined=True))
        return Seat(nickname, "in" if admitted else "waiting")

    def seat(self, code: str, student: str) -> Seat | None:
        """Where a student stands in a live class (None: not on its lists, or no such class)."""
        if not (CODE_PATTERN.fullmatch(code or "") and STUDENT_PATTERN.fullmatch(student or "")):
            return None
        with self._reading() as db:
            row = self._live(db, code) and self._seat_row(db, code, student)
        if not row:
            return None
        return Seat(row.nickname, "in" if row.admitted else "removed" if row.removed else "waiting")

    def teacher_class(self, key: str | None) -> str | None:
        """The code of the live class this key is the teacher's of; None for any other key."""
        if not key or len(key) > MAX_KEY:
            return None
        with self._reading() as db:
            return db.scalar(
                select(classes.c.code).where(classes.c.key_hash == key_hash(key), classes.c.expires > self.clock())
            )

    def keep_open(self, key: str) -> None:
        """The teacher's dashboard is open: the class lives TEACHER_AWAY from now (written at most
        once in CLEAN_EVERY)."""
        if not key or len(key) > MAX_KEY:
            return
        now = self.clock()
        where = and_(classes.c.key_hash == key_hash(key), classes.c.expires > now)
        with self._reading() as db:
            expires = db.scalar(select(classes.c.expires).where(where))
        if expires is not None and expires < now + TEACHER_AWAY - CLEAN_EVERY:
            with self._writing() as db:
                db.execute(update(classes).where(where).values(expires=now + TEACHER_AWAY))

    def end_class(self, key: str) -> bool:
        return self._as_teacher(key, lambda db, code: _delete_classes(db, [code], self.clock() + ENDED_KEPT))

    def _as_teacher(self, key: str | None, action: Callable) -> bool:
        """Do `action(db, code)` in a writing transaction for the class `key` is the teacher's of;
        False (nothing done) for a key that is no teacher's."""
        code = self.teacher_class(key)
        if code is None:
            return False
        with self._writing() as db:
            action(db, code)
        return True

    def clean(self) -> int:
        """Delete the classes past their time, with their answers; how many went."""
        now = self.clock()
        with self._writing() as db:
            gone = db.scalars(select(classes.c.code).where(classes.c.expires <= now)).all()
            if gone:
                _delete_classes(db, gone, now + ENDED_KEPT)
            db.execute(delete(ended).where(ended.c.until <= now))
            db.execute(delete(throttles).where(throttles.c.at < now - THROTTLE_KEPT))
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
        students gave (two at least, or revealed), but those the teacher hid. No student ids leave the store."""
        latest = (
            select(func.max(answers.c.id).label("id"))
            .where(answers.c.class_code == code)
            .group_by(answers.c.student, answers.c.step)
            .subquery()
        )
        n = func.count(func.distinct(answers.c.student))
        listed = hidden.c.class_code == code, hidden.c.step == answers.c.step, hidden.c.latex == answers.c.latex
        shown = ~select(hidden.c.latex).where(*listed).exists()
        picked = (revealed.c.class_code == code, revealed.c.step == answers.c.step, revealed.c.latex == answers.c.latex)
        revealed_here = select(revealed.c.latex).where(*picked).exists()
        wrong = (
            select(answers.c.step, answers.c.latex, func.max(answers.c.slip), n)
            .where(answers.c.class_code == code, answers.c.equivalent.is_(False), shown)
            .group_by(answers.c.step, answers.c.latex)
            .order_by(n.desc(), answers.c.step, answers.c.latex)
            .limit(WRONG_SHOWN)
        )
        with self._reading() as db:
            counted = db.execute(
                select(answers.c.step, answers.c.slip, func.count())
                .join(latest, answers.c.id == latest.c.id)
                .group_by(answers.c.step, answers.c.slip)
            ).all()
            answered = db.scalar(select(n).where(answers.c.class_code == code))
            on_projector = db.execute(wrong.having(or_(n >= 2, func.max(case((revealed_here, 1), else_=0)) == 1))).all()
            singles = db.execute(wrong.having(n < 2, func.max(case((revealed_here, 1), else_=0)) == 0)).all()
            row = db.execute(select(classes.c.per_network, classes.c.locked).where(classes.c.code == code)).first()
            admitted = dict(
                db.execute(
                    select(students.c.admitted, func.count())
                    .where(students.c.class_code == code, students.c.removed.is_(False))
                    .group_by(students.c.admitted)
                ).all()
            )
            hid = db.scalar(select(func.count()).select_from(hidden).where(hidden.c.class_code == code))
        by_step = {step: {"right": 0} | dict.fromkeys(SLIPS, 0) for step in TARGETS}
        for step, slip, count in counted:
            by_step[step][slip or "right"] += count
        steps = tuple(StepCounts(step, c.pop("right"), c) for step, c in by_step.items())
        return Summary(
            answered or 0,
            steps,
            tuple(WrongAnswer(*r) for r in on_projector),
            joined=admitted.get(True, 0),
            waiting=admitted.get(False, 0),
            per_network=row.per_network if row else PER_NETWORK,
            hidden=hid or 0,
            singles=tuple(WrongAnswer(*r) for r in singles),
            locked=bool(row and row.locked),
        )

    def roster(self, key: str) -> tuple[Seat, ...] | None:
        """Who is in the teacher's class and who waits, by nickname (waiting first, then by arrival),
        with how many answers each has sent; None for a key that is no teacher's. Removed students
        are not listed."""
        code = self.teacher_class(key)
        if code is None:
            return None
        sent = (
            select(func.count())
            .where(answers.c.class_code == code, answers.c.student == students.c.student)
            .scalar_subquery()
        )
        with self._reading() as db:
            rows = db.execute(
                select(students.c.nickname, students.c.admitted, sent)
                .where(students.c.class_code == code, students.c.removed.is_(False))
                .order_by(students.c.admitted, students.c.at, students.c.nickname)
            ).all()
        return tuple(Seat(nickname, "in" if admitted else "waiting", count) for nickname, admitted, count in rows)

    def export(self, key: str) -> tuple[Record, ...] | None:
        """Every stored answer of the teacher's class, oldest first, by nickname; None for a key
        that is no teacher's."""
        code = self.teacher_class(key)
        if code is None:
            return None
        who = and_(students.c.class_code == answers.c.class_code, students.c.student == answers.c.student)
        with self._reading() as db:
            rows = db.execute(
                select(
                    answers.c.at,
                    func.coalesce(students.c.nickname, ""),
                    answers.c.step,
                    answers.c.latex,
                    answers.c.slip,
                )
                .select_from(answers.outerjoin(students, who))
                .where(answers.c.class_code == code)
                .order_by(answers.c.id)
            ).all()
        return tuple(Record(*row) for row in rows)

    def hide(self, key: str, step: str, latex: str) -> bool:
        """The teacher takes a wrong answer off the projector. False for a key that is no teacher's."""
        if step not in TARGETS or not 0 < len(latex) <= MAX_LATEX:
            return False
        return self._as_teacher(key, lambda db, code: _put(db, hidden, code=code, step=step, latex=latex))

    def reveal(self, key: str, step: str, latex: str) -> bool:
        """The teacher puts a wrong answer only one student gave on the projector."""
        if step not in TARGETS or not 0 < len(latex) <= MAX_LATEX:
            return False
        return self._as_teacher(key, lambda db, code: _put(db, revealed, code=code, step=step, latex=latex))

    def show_hidden(self, key: str) -> bool:
        """The teacher puts every hidden wrong answer back."""
        return self._as_teacher(key, lambda db, code: db.execute(delete(hidden).where(hidden.c.class_code == code)))

    def clear_answers(self, key: str) -> bool:
        """A new round: every answer of the class goes, with what the teacher hid or revealed; the
        students stay in."""

        def clear(db, code):
            for table in (answers, hidden, revealed):
                db.execute(delete(table).where(table.c.class_code == code))

        return self._as_teacher(key, clear)

    def lock(self, key: str, locked: bool) -> bool:
        """Lock joining (new students wait for the teacher), or open it again."""
        return self._as_teacher(
            key, lambda db, code: db.execute(update(classes).where(classes.c.code == code).values(locked=bool(locked)))
        )

    def let_in(self, key: str, nickname: str | None = None) -> bool:
        """Let the waiting student with `nickname` in, or every waiting student (None)."""
        if nickname is not None and not NICKNAME_PATTERN.fullmatch(nickname):
            return False
        waiting = and_(students.c.admitted.is_(False), students.c.removed.is_(False))
        named = True if nickname is None else students.c.nickname == nickname
        return self._as_teacher(
            key,
            lambda db, code: db.execute(
                update(students).where(students.c.class_code == code, waiting, named).values(admitted=True)
            ),
        )

    def remove(self, key: str, nickname: str) -> bool:
        """Take a student out of the class: their answers leave the counts, and their browser is not
        let in again."""
        if not NICKNAME_PATTERN.fullmatch(nickname or ""):
            return False

        def take_out(db, code):
            who = select(students.c.student).where(students.c.class_code == code, students.c.nickname == nickname)
            db.execute(delete(answers).where(answers.c.class_code == code, answers.c.student.in_(who)))
            db.execute(
                update(students)
                .where(students.c.class_code == code, students.c.nickname == nickname)
                .values(admitted=False, removed=True)
            )

        return self._as_teacher(key, take_out)

    def allow_per_network(self, key: str, n: int) -> bool:
        """How many students of one network the class counts (a lab behind one NAT needs its size).
        Raising it lets in those waiting from networks now under it, first come first (not in a
        locked class: there the teacher lets each in)."""
        if not 1 <= n <= MAX_PER_NETWORK:
            return False

        def allow(db, code):
            _one_writer(db, f"class {code}")
            db.execute(update(classes).where(classes.c.code == code).values(per_network=n))
            if db.scalar(select(classes.c.locked).where(classes.c.code == code)):
                return
            mine = and_(students.c.class_code == code, students.c.removed.is_(False))
            counts = dict(
                db.execute(
                    select(students.c.network, func.count())
                    .where(mine, students.c.admitted.is_(True))
                    .group_by(students.c.network)
                ).all()
            )
            waiting = db.execute(
                select(students.c.student, students.c.network)
                .where(mine, students.c.admitted.is_(False))
                .order_by(students.c.at)
            ).all()
            for student, network in waiting:
                if counts.get(network, 0) < n:
                    counts[network] = counts.get(network, 0) + 1
                    db.execute(update(students).where(mine, students.c.student == student).values(admitted=True))

        return self._as_teacher(key, allow)

    def point_class(self, key: str, page: str | None) -> bool:
        """The teacher points the class at a page (None: nowhere). False for a key that is no teacher's."""
        if page is not None and page not in pages.NAMES:
            return False
        return self._as_teacher(
            key,
            lambda db, code: db.execute(
                update(classes).where(classes.c.code == code).values(pace_page=page, pace_at=self.clock())
            ),
        )

    def pace(self, code: str) -> Pace | None:
        """Where the class's teacher points it; None once the class is gone."""
        with self._reading() as db:
            row = self._live(db, code)
        return None if row is None else Pace(row.pace_page, row.pace_at, row.per_network)


def _put(db, table: Table, code: str, step: str, latex: str) -> None:
    """A wrong answer on the teacher's list `table` (hidden or revealed), once."""
    where = table.c.class_code == code, table.c.step == step, table.c.latex == latex
    if db.scalar(select(table.c.step).where(*where)) is None:
        db.execute(insert(table).values(class_code=code, step=step, latex=latex))
