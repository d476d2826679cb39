"""The class store (store.py) against SQLite and a real PostgreSQL: what it keeps, what it refuses,
and that the dashboard's numbers are what the students answered."""

from __future__ import annotations

import threading
from dataclasses import fields

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, inspect, select, text
from sqlalchemy.exc import SQLAlchemyError

import store
from core import checker
from store import Answer, Refused, Store


class Clock:
    def __init__(self, now: float = 1_800_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'classes.sqlite'}"
    pg = request.getfixturevalue("postgres_url")
    engine = create_engine(pg)
    store.metadata.drop_all(engine)  # each test starts from an empty database
    engine.dispose()
    return pg


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def db(url, clock):
    engine = create_engine(url)
    s = Store(engine, clock=clock)
    s.migrate()
    yield s
    engine.dispose()


TEACHERS, PUPILS = store.network_of("203.0.113.7"), store.network_of("198.51.100.2")


def pupil(db, code: str, network: str = PUPILS) -> str:
    """A student of `network` who has joined the class."""
    me = store.student_id()
    db.join(code, me, network)
    return me


RIGHT = Answer("se.2", checker.check("P_se - 1", "se.2").latex, True, None)
SLIP = Answer("vi.result", checker.check("-P_se", "vi.result").latex, False, "sign")


def test_the_schema_is_created_once_and_versioned(db, url):
    assert db.schema_version() == store.SCHEMA_VERSION
    db.migrate()  # a second replica starting, or a restart
    assert db.schema_version() == store.SCHEMA_VERSION
    tables = set(inspect(db.engine).get_table_names())
    assert {"softmax_schema", "softmax_classes", "softmax_answers"} <= tables
    with db.engine.begin() as c:
        c.execute(store.schema_table.update().values(version=store.SCHEMA_VERSION + 1))
    with pytest.raises(RuntimeError, match="schema"):
        db.migrate()  # an older app never writes into a newer schema


@pytest.fixture
def servers(url):
    """Eight engines on one database, as eight replicas have (not yet migrated)."""
    engines = [create_engine(url, **store.engine_options(url)) for _ in range(8)]
    yield engines
    for engine in engines:
        engine.dispose()


def at_once(work, engines) -> list:
    """`work(engine)` for every engine at once, each in a thread: what each returned or raised, in order."""
    results = [None] * len(engines)

    def run(index, engine):
        try:
            results[index] = work(engine)
        except Exception as error:  # noqa: BLE001 - returned, for the test to judge
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, e)) for i, e in enumerate(engines)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def outcome(result) -> str:
    """A class's code, or why it was refused ("database": a lock held past LOCK_WAIT, said, never counted)."""
    if isinstance(result, Refused):
        return result.key
    return "database" if isinstance(result, SQLAlchemyError) else result


def test_replicas_starting_together_create_one_schema(servers):
    assert at_once(lambda engine: Store(engine).migrate(), servers) == [None] * len(servers)
    with servers[0].connect() as c:
        assert c.scalar(text("SELECT count(*) FROM softmax_schema")) == 1


def test_a_class_has_a_short_code_and_a_secret_key_stored_only_hashed(db):
    new = db.start_class(TEACHERS)
    assert store.CODE_PATTERN.fullmatch(new.code)
    assert len(new.key) >= 22  # token_urlsafe(24): 192 random bits, at least the 128 asked for
    assert db.teacher_class(new.key) == new.code
    with db.engine.connect() as c:
        stored = [str(v) for row in c.execute(select(store.classes)).all() for v in row]
    assert new.key not in " ".join(stored)
    assert store.key_hash(new.key) in stored
    assert db.start_class(TEACHERS).code != new.code


@pytest.mark.parametrize("key", ["", None, "wrong", "x" * 5000])
def test_a_wrong_or_missing_key_is_no_teachers(db, key):
    db.start_class(TEACHERS)
    assert db.teacher_class(key) is None
    assert db.end_class(key or "") is False
    assert db.point_class(key or "", "softmax") is False


def test_a_class_is_gone_with_its_answers_hours_after_its_dashboard_was_last_open(db, clock):
    new = db.start_class(TEACHERS)
    me = pupil(db, new.code)
    db.record(new.code, me, RIGHT)
    for _ in range(3):  # a long day: the dashboard open, now and then
        clock.now += store.TEACHER_AWAY - 1
        assert db.teacher_class(new.key) == new.code
        db.keep_open(new.key)
    for _ in range(100):  # students working on after the teacher left do not keep it
        clock.now += store.TEACHER_AWAY / 100 - 1
        assert db.join(new.code, me, PUPILS) == new.code
        db.record(new.code, me, RIGHT)
    clock.now += 200
    assert db.teacher_class(new.key) is None
    assert db.pace(new.code) is None
    with pytest.raises(Refused, match="old_link"):  # an old link is no guess
        db.join(new.code, store.student_id(), PUPILS)
    with pytest.raises(Refused, match="ended"):
        db.record(new.code, me, RIGHT)
    assert db.clean() == 1
    with db.engine.connect() as c:
        assert c.scalar(text("SELECT count(*) FROM softmax_answers")) == 0
        assert c.scalar(text("SELECT count(*) FROM softmax_classes")) == 0


def test_ending_a_class_deletes_its_rows_and_no_other_class(db):
    mine, other = db.start_class(TEACHERS), db.start_class(TEACHERS)
    for code in (mine.code, other.code):
        db.record(code, pupil(db, code), RIGHT)
    assert db.end_class(mine.key)
    assert db.teacher_class(mine.key) is None
    assert db.summary(mine.code).students == 0
    assert db.summary(other.code).students == 1
    with pytest.raises(Refused, match="old_link"):
        db.join(mine.code, store.student_id(), PUPILS)


def test_students_join_by_code_in_any_case(db):
    new = db.start_class(TEACHERS)
    me = store.student_id()
    assert db.join(new.code.lower(), me, PUPILS) == new.code
    assert db.join(f"  {new.code} ", me, PUPILS) == new.code
    code = new.code
    for typed in (f"{code[:3]} {code[3:]}", f"{code[:3]}-{code[3:].lower()}", f" {code[:3]}\u3000{code[3:]}"):
        assert db.join(typed, me, PUPILS) == new.code  # read from the back of the room, typed with a gap
    for text_ in ("", None, "K7Q2P", "K7Q2PX0", "<script>", "O0O0O0", "K7Q_2PX"):
        with pytest.raises(Refused):
            db.join(text_, me, PUPILS)
    with pytest.raises(Refused):
        db.join(new.code, "not-an-id", PUPILS)


GUESSES = [f"AAAA{a}{b}" for a in "ABCDEFGH" for b in "ABCDEFGH"]


def test_a_guesser_only_slows_his_own_network_and_a_right_code_is_never_refused(db, clock):
    new = db.start_class(TEACHERS)
    guesser, attacker = store.student_id(), store.network_of("192.0.2.66")
    refusals = []
    for guess in GUESSES[:20]:
        with pytest.raises(Refused) as refused:
            db.join(guess, store.student_id(), attacker)  # a new student for every guess
        refusals.append(refused.value.key)
    burst = store.WRONG_CODES[1]
    assert refusals == ["unknown"] * burst + ["busy"] * (20 - burst)
    db.allow_per_network(new.key, 100)  # a lab behind one NAT
    for _ in range(60):  # the class joins meanwhile, from another network, with the right code
        assert db.join(new.code, store.student_id(), PUPILS) == new.code  # and is never charged for it
    with pytest.raises(Refused, match="unknown"):
        db.join("AAAAAA", store.student_id(), PUPILS)
    with pytest.raises(Refused, match="busy"):  # the guesser's network waits, whatever it types
        db.join(new.code, guesser, attacker)
    clock.now += 1 / store.WRONG_CODES[0]
    assert db.join(new.code, guesser, attacker) == new.code  # one token back


def test_one_student_guessing_is_throttled_on_any_network(db):
    new, me = db.start_class(TEACHERS), store.student_id()
    for n, guess in enumerate(GUESSES[: store.WRONG_CODES[1]]):
        with pytest.raises(Refused, match="unknown"):
            db.join(guess, me, store.network_of(f"192.0.2.{n}"))
    with pytest.raises(Refused, match="busy"):
        db.join(new.code, me, store.network_of("192.0.2.200"))


def test_a_reopened_link_of_an_ended_class_charges_nothing(db):
    gone, live = db.start_class(TEACHERS), db.start_class(TEACHERS)
    db.end_class(gone.key)
    for _ in range(60):  # a class reopening the old link at once
        with pytest.raises(Refused, match="old_link"):
            db.join(gone.code, store.student_id(), PUPILS)
    assert db.join(live.code, store.student_id(), PUPILS) == live.code


def test_one_network_starts_a_bounded_number_of_classes(db, clock):
    started = [db.start_class(TEACHERS) for _ in range(store.NETWORK_CLASSES)]
    with pytest.raises(Refused, match="network_classes"):
        db.start_class(TEACHERS)
    assert db.start_class(PUPILS)  # another teacher is not held back
    db.end_class(started[0].key)
    with pytest.raises(Refused, match="starts"):  # as many starts as a school's morning needs, then slower
        db.start_class(TEACHERS)
    clock.now += 1 / store.STARTS[0]
    assert db.start_class(TEACHERS)


def test_one_teachers_browser_runs_a_few_classes_and_no_server_wide_cap_shuts_out_a_new_network(db):
    mine = store.student_id()
    for _ in range(store.BROWSER_CLASSES):
        db.start_class(TEACHERS, mine)
    with pytest.raises(Refused, match="browser_classes"):
        db.start_class(store.network_of("192.0.2.77"), mine)  # from home too
    assert db.start_class(TEACHERS, store.student_id())  # a colleague at the same school
    for n in range(60):  # 600 classes from 60 networks: more than any one server-wide cap had
        for _ in range(store.NETWORK_CLASSES):
            db.start_class(store.network_of(f"10.0.{n}.1"))
    assert db.start_class(store.network_of("192.0.2.99"))


def test_one_network_counts_as_many_students_as_the_teacher_allows_and_the_rest_wait(db):
    new = db.start_class(TEACHERS)
    lab = [store.student_id() for _ in range(store.PER_NETWORK + 3)]
    for me in lab[: store.PER_NETWORK]:
        db.join(new.code, me, PUPILS)
    nicknames = set()
    for me in lab[store.PER_NETWORK :] * 3:  # each waiting student tries three times: on the list once
        with pytest.raises(Refused, match="waiting") as waiting:
            db.join(new.code, me, PUPILS)
        nicknames.add(waiting.value.values["nickname"])
        with pytest.raises(Refused, match="not_joined"):  # no answer without a place in the class
            db.record(new.code, me, RIGHT)
    assert len(nicknames) == 3 and all(store.NICKNAME_PATTERN.fullmatch(n) for n in nicknames)
    assert db.join(new.code, store.student_id(), store.network_of("192.0.2.1")) == new.code  # another home
    summary = db.summary(new.code)
    assert (summary.joined, summary.waiting, summary.per_network) == (store.PER_NETWORK + 1, 3, store.PER_NETWORK)
    assert not db.allow_per_network("wrong key", 50)
    assert not db.allow_per_network(new.key, 0) and not db.allow_per_network(new.key, store.MAX_PER_NETWORK + 1)
    assert db.allow_per_network(new.key, store.PER_NETWORK + 2)  # the teacher's lab behind one NAT
    summary = db.summary(new.code)
    assert (summary.joined, summary.waiting) == (store.PER_NETWORK + 3, 1)  # the first two who waited are in
    assert [db.seat(new.code, me).state for me in lab[store.PER_NETWORK :]] == ["in", "in", "waiting"]
    for me in lab[store.PER_NETWORK : store.PER_NETWORK + 2]:
        assert db.join(new.code, me, PUPILS) == new.code
    assert db.pace(new.code).per_network == store.PER_NETWORK + 2


def test_a_student_who_comes_back_is_counted_once(db):
    new = db.start_class(TEACHERS)
    me = pupil(db, new.code)
    db.record(new.code, me, SLIP)
    for network in (PUPILS, store.network_of("192.0.2.9")):  # a reconnect, a restart, a phone off Wi-Fi
        assert db.join(new.code, me, network) == new.code
    db.record(new.code, me, RIGHT)
    summary = db.summary(new.code)
    assert (summary.students, summary.joined) == (1, 1)


def test_the_teacher_hides_a_wrong_answer_from_the_projector(db):
    new = db.start_class(TEACHERS)
    db.allow_per_network(new.key, 100)
    rude = Answer("se.1", "5318008", False, "other")
    for answer in (rude, rude, SLIP, SLIP):
        db.record(new.code, pupil(db, new.code), answer)
    assert [w.latex for w in db.summary(new.code).wrong] == [rude.latex, SLIP.latex]
    assert not db.hide("wrong key", rude.step, rude.latex)
    assert db.hide(new.key, rude.step, rude.latex) and db.hide(new.key, rude.step, rude.latex)
    summary = db.summary(new.code)
    assert [w.latex for w in summary.wrong] == [SLIP.latex] and summary.hidden == 1
    db.record(new.code, pupil(db, new.code), rude)  # sent again by another: still hidden
    assert [w.latex for w in db.summary(new.code).wrong] == [SLIP.latex]
    assert db.summary(new.code).steps[0].slips["other"] == 3  # the bars still count every answer
    assert db.show_hidden(new.key)
    assert db.summary(new.code).wrong[0] == store.WrongAnswer("se.1", rude.latex, "other", 3)


def test_the_projector_lists_a_wrong_answer_two_students_gave_or_one_the_teacher_revealed(db):
    new = db.start_class(TEACHERS)
    rude = Answer("se.1", "5318008", False, "other")
    fake = pupil(db, new.code)
    db.record(new.code, fake, rude)
    db.record(new.code, fake, rude)  # one student, twice: still one
    summary = db.summary(new.code)
    assert summary.wrong == () and summary.singles == (store.WrongAnswer("se.1", rude.latex, "other", 1),)
    db.record(new.code, pupil(db, new.code), SLIP)
    assert not db.reveal("wrong key", SLIP.step, SLIP.latex) and not db.reveal(new.key, "se.9", SLIP.latex)
    assert db.reveal(new.key, SLIP.step, SLIP.latex) and db.reveal(new.key, SLIP.step, SLIP.latex)
    summary = db.summary(new.code)
    assert [w.latex for w in summary.wrong] == [SLIP.latex] and [w.latex for w in summary.singles] == [rude.latex]
    db.record(new.code, pupil(db, new.code), rude)  # a second student: on the projector by itself
    assert [w.latex for w in db.summary(new.code).wrong] == [rude.latex, SLIP.latex]


def test_only_the_checkers_verdict_is_recorded(db):
    columns = {c.name for c in store.answers.columns}
    assert columns == {"id", "class_code", "student", "step", "latex", "equivalent", "slip", "at"}
    assert {f.name for f in fields(store.WrongAnswer)} == {"step", "latex", "slip", "students"}
    assert {f.name for f in fields(store.StepCounts)} == {"step", "right", "slips"}


@pytest.mark.parametrize(
    "answer",
    [
        Answer("se.4", "P_{se}", True, None),  # no such step
        Answer("se.1", "x" * (store.MAX_LATEX + 1), False, "other"),
        Answer("se.1", "", False, "other"),
        Answer("se.1", "P_{se}", True, "sign"),  # right, with a slip
        Answer("se.1", "P_{se}", False, None),  # wrong, without one
        Answer("se.1", "P_{se}", False, "typo"),
    ],
)
def test_bad_values_are_not_stored(db, answer):
    new = db.start_class(TEACHERS)
    with pytest.raises(Refused):
        db.record(new.code, pupil(db, new.code), answer)
    for code, student in ((new.code, "not-hex"), ("AAAAAA", pupil(db, new.code))):
        with pytest.raises(Refused):
            db.record(code, student, RIGHT)
    assert db.summary(new.code).students == 0


def test_a_student_and_a_class_answer_at_a_bounded_rate(db, clock, monkeypatch):
    new = db.start_class(TEACHERS)
    db.allow_per_network(new.key, 100)
    student = pupil(db, new.code)
    limit, window = store.STUDENT_LIMIT
    for _ in range(limit):
        db.record(new.code, student, SLIP)
    with pytest.raises(Refused, match="student_rate"):
        db.record(new.code, student, RIGHT)
    assert db.summary(new.code).steps[-1].slips["sign"] == 1  # the refused one was not kept
    clock.now += window + 1
    db.record(new.code, student, RIGHT)

    monkeypatch.setattr(store, "CLASS_LIMIT", (3, 60.0))
    clock.now += window + 1
    for _ in range(3):
        db.record(new.code, pupil(db, new.code), RIGHT)
    with pytest.raises(Refused, match="class_rate"):
        db.record(new.code, pupil(db, new.code), RIGHT)


def test_one_student_cannot_fill_a_class(db, clock, monkeypatch):
    new = db.start_class(TEACHERS)
    flooder, honest = pupil(db, new.code), pupil(db, new.code)
    monkeypatch.setattr(store, "STUDENT_ROWS", 30)
    with pytest.raises(Refused, match="student_full"):
        for _ in range(31):
            clock.now += 3.5  # 17 a minute: under the rate limit
            db.record(new.code, flooder, SLIP)
    db.record(new.code, honest, RIGHT)
    assert db.summary(new.code).students == 2


def test_the_dashboard_counts_each_students_latest_verdict(db):
    new = db.start_class(TEACHERS)
    right, slipped, changed = (pupil(db, new.code) for _ in range(3))
    db.record(new.code, right, Answer("vi.result", "P_{se}", True, None))
    db.record(new.code, slipped, SLIP)
    db.record(new.code, changed, SLIP)
    db.record(new.code, changed, Answer("vi.result", "P_{se}", True, None))  # corrected: counts as right
    db.record(new.code, right, RIGHT)
    summary = db.summary(new.code)
    assert summary.students == 3
    steps = {s.step: s for s in summary.steps}
    assert tuple(steps) == checker.TARGETS
    assert (steps["vi.result"].answered, steps["vi.result"].right, steps["vi.result"].slips["sign"]) == (3, 2, 1)
    assert (steps["se.2"].answered, steps["se.2"].right) == (1, 1)
    assert steps["se.1"].answered == 0
    # the slip two students made is the most frequent wrong answer, though one corrected it
    assert summary.wrong == (store.WrongAnswer("vi.result", SLIP.latex, "sign", 2),)


def test_the_most_frequent_wrong_answers_come_first(db):
    new = db.start_class(TEACHERS)
    db.allow_per_network(new.key, 100)
    wrong = [Answer("se.1", f"{n} P_{{se}}", False, "factor") for n in range(2, 10)]
    for index, answer in enumerate(wrong):
        for _ in range(index + 1):
            db.record(new.code, pupil(db, new.code), answer)
    shown = db.summary(new.code).wrong
    assert [w.students for w in shown] == [8, 7, 6, 5, 4, 3]
    assert shown[0].latex == wrong[-1].latex


def test_the_teacher_points_the_class_at_a_page(db, clock):
    new = db.start_class(TEACHERS)
    assert db.pace(new.code) == store.Pace(None, None)
    assert db.point_class(new.key, "chain_rule_vi")
    assert db.pace(new.code) == store.Pace("chain_rule_vi", clock.now)
    assert not db.point_class(new.key, "../admin")
    assert db.point_class(new.key, None)
    assert db.pace(new.code).page is None


ANSWERS = st.tuples(
    st.integers(0, 4),  # which student
    st.sampled_from(checker.TARGETS),
    st.sampled_from([None, *checker.SLIPS]),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(ANSWERS, max_size=30))
def test_every_student_who_answered_a_step_counts_once_there(tmp_path_factory, answers):
    engine = create_engine(f"sqlite:///{tmp_path_factory.mktemp('h') / 'c.sqlite'}")
    clock = Clock()
    db = Store(engine, clock=clock)
    db.migrate()
    new = db.start_class(TEACHERS)
    students = [pupil(db, new.code) for _ in range(5)]
    latest = {}
    for who, step, slip in answers:
        clock.now += 60 / store.STUDENT_LIMIT[0]  # within the rate limit, however one student answers
        db.record(new.code, students[who], Answer(step, "P_{se}" if slip is None else "x", slip is None, slip))
        latest[(who, step)] = slip
    summary = db.summary(new.code)
    assert summary.students == len({who for who, _ in latest})
    for counts in summary.steps:
        mine = [slip for (_, step), slip in latest.items() if step == counts.step]
        assert counts.answered == len(mine)
        assert counts.right == mine.count(None)
        assert counts.slips == {slip: mine.count(slip) for slip in checker.SLIPS}
    engine.dispose()


def sqlite_store(path, clock=None):
    engine = create_engine(f"sqlite:///{path}", **store.engine_options("sqlite://"))
    db = Store(engine, clock=clock or Clock())
    db.migrate()
    return db


@pytest.mark.parametrize("fault", ["missing", "replaced", "read-only"])
def test_a_lost_sqlite_file_is_said_never_written_to_a_ghost(tmp_path, fault):
    path = tmp_path / "classes.sqlite"
    db = sqlite_store(path)
    new = db.start_class(TEACHERS)
    me = pupil(db, new.code)
    if fault == "missing":
        for file in tmp_path.iterdir():
            file.unlink()
    elif fault == "replaced":
        path.rename(tmp_path / "old.sqlite")
        sqlite_store(path)  # someone else's fresh database where ours was
    else:
        path.chmod(0o444)  # root writes it all the same: the store looks at the file's mode
    with pytest.raises(SQLAlchemyError):
        db.record(new.code, me, RIGHT)
    with pytest.raises(SQLAlchemyError):
        db.start_class(TEACHERS)
    if fault != "read-only":
        with pytest.raises(SQLAlchemyError):
            db.join(new.code, me, PUPILS)
        assert path.exists() == (fault == "replaced")  # nothing made a new, empty file
    else:
        assert db.join(new.code, me, PUPILS) == new.code  # reading still works
        path.chmod(0o644)
        db.record(new.code, me, RIGHT)  # and writing, once the file is writable again
        assert db.summary(new.code).students == 1


def test_a_statement_waits_about_a_second_for_a_lock(url):
    engine = create_engine(url, **store.engine_options(url))
    Store(engine).migrate()
    with engine.connect() as c:
        if engine.dialect.name == "sqlite":
            assert c.exec_driver_sql("PRAGMA busy_timeout").scalar() == store.LOCK_WAIT * 1000
        else:
            assert c.exec_driver_sql("SHOW lock_timeout").scalar() == f"{store.LOCK_WAIT:.0f}s"
    engine.dispose()


def test_a_locked_sqlite_file_refuses_rather_than_storing_later(tmp_path):
    db = sqlite_store(tmp_path / "classes.sqlite")
    new = db.start_class(TEACHERS)
    me = pupil(db, new.code)
    with db.engine.connect().execution_options(immediate=True) as holder, holder.begin():
        with pytest.raises(SQLAlchemyError, match="locked"):
            db.record(new.code, me, RIGHT)
    assert db.summary(new.code).students == 0
    db.record(new.code, me, RIGHT)
    assert db.summary(new.code).students == 1


def test_a_version_1_database_is_brought_up_to_date_with_its_students(url):
    engine = create_engine(url)
    serial = "SERIAL" if engine.dialect.name == "postgresql" else "INTEGER"
    with engine.begin() as c:  # the schema and a class as version 1 left them
        c.exec_driver_sql("CREATE TABLE softmax_schema (version INTEGER NOT NULL)")
        c.exec_driver_sql("INSERT INTO softmax_schema VALUES (1)")
        c.exec_driver_sql(
            "CREATE TABLE softmax_classes (code VARCHAR(6) PRIMARY KEY, key_hash VARCHAR(64) NOT NULL UNIQUE, "
            "created FLOAT NOT NULL, expires FLOAT NOT NULL, pace_page VARCHAR(32), pace_at FLOAT)"
        )
        c.exec_driver_sql(
            f"CREATE TABLE softmax_answers (id {serial} PRIMARY KEY, class_code VARCHAR(6) NOT NULL, "
            "student VARCHAR(16) NOT NULL, step VARCHAR(12) NOT NULL, latex VARCHAR(1000) NOT NULL, "
            "equivalent BOOLEAN NOT NULL, slip VARCHAR(12), at FLOAT NOT NULL)"
        )
        c.execute(
            text("INSERT INTO softmax_classes VALUES ('K7Q2PX', :h, 0, 1e12, NULL, NULL)"), {"h": store.key_hash("k")}
        )
        c.execute(
            text(
                "INSERT INTO softmax_answers (class_code, student, step, latex, equivalent, slip, at) "
                "VALUES ('K7Q2PX', 'aaaaaaaaaaaaaaaa', 'se.2', 'x', false, 'other', 1)"
            )
        )
    db = Store(engine)
    db.migrate()
    assert db.schema_version() == store.SCHEMA_VERSION
    summary = db.summary("K7Q2PX")
    assert (summary.students, summary.joined, summary.per_network) == (1, 1, store.PER_NETWORK)
    db.record("K7Q2PX", "aaaaaaaaaaaaaaaa", RIGHT)  # its student is still in the class
    assert db.join("K7Q2PX", store.student_id(), PUPILS) == "K7Q2PX"
    engine.dispose()


def test_teachers_starting_together_from_one_network_get_the_networks_share_and_no_more(servers):
    at_once(lambda engine: Store(engine).migrate(), servers)
    results = []
    for _ in range(2):  # 16 presses of "Start a class" at once, from one network, on 8 replicas
        results += [outcome(r) for r in at_once(lambda engine: Store(engine).start_class(TEACHERS).code, servers)]
    assert len(results) == 16
    assert sum(r != "network_classes" for r in results) == store.NETWORK_CLASSES


def test_students_joining_together_from_one_network_get_its_share_and_no_more(servers):
    at_once(lambda engine: Store(engine).migrate(), servers)
    new = Store(servers[0]).start_class(TEACHERS)
    results = [outcome(r) for r in at_once(lambda e: Store(e).join(new.code, store.student_id(), PUPILS), servers * 2)]
    summary = Store(servers[0]).summary(new.code)
    assert summary.joined == results.count(new.code) == store.PER_NETWORK
    assert summary.waiting == results.count("waiting") == 16 - store.PER_NETWORK


def test_servers_sharing_a_database_share_one_secret(servers):
    at_once(lambda engine: Store(engine).migrate(), servers)
    found = at_once(lambda engine: Store(engine).secret("browser-ids"), servers)
    assert len(set(found)) == 1 and len(found[0]) == 32  # 256 bits, made once
    assert Store(servers[0]).secret("other") != found[0]


def test_a_guesser_on_the_classs_own_network_never_keeps_its_link_or_its_students_out(db):
    new = db.start_class(TEACHERS)
    db.allow_per_network(new.key, 30)  # the class sits behind one school address
    inside = pupil(db, new.code)
    for guess in GUESSES[:40]:  # a classmate guessing from the same address, till the network is throttled
        with pytest.raises(Refused, match="unknown|busy"):
            db.join(guess, store.student_id(), PUPILS)
    with pytest.raises(Refused, match="busy"):  # a code typed on this network waits now
        db.join(new.code, store.student_id(), PUPILS)
    ticket = db.ticket(new.code)
    assert store.TICKET_LENGTH == len(ticket) and db.ticket(new.code) == ticket
    for _ in range(25):  # the class opens the link (or its QR code): never throttled
        assert db.join(new.code, store.student_id(), PUPILS, ticket=ticket) == new.code
    assert db.join(new.code, inside, PUPILS) == new.code  # a student already in, reloading
    other = db.start_class(TEACHERS)
    for forged in (db.ticket(other.code), "0" * store.TICKET_LENGTH, ticket.upper(), "", None):
        with pytest.raises(Refused, match="busy"):  # another class's ticket, or a made-up one: a typed code
            db.join(new.code, store.student_id(), PUPILS, ticket=forged)


def test_replicas_share_the_wrong_code_throttle(servers, clock):
    at_once(lambda engine: Store(engine).migrate(), servers)
    replicas = [Store(engine, clock=clock) for engine in servers[:2]]
    refusals = []
    for n, guess in enumerate(GUESSES[:20]):  # the guesser's route alternates between two replicas
        with pytest.raises(Refused) as refused:
            replicas[n % 2].join(guess, store.student_id(), PUPILS)
        refusals.append(refused.value.key)
    burst = store.WRONG_CODES[1]
    assert refusals == ["unknown"] * burst + ["busy"] * (20 - burst)  # no more than one replica gives
    clock.now += store.THROTTLE_KEPT + 1
    replicas[0].clean()  # a full bucket's row goes
    with servers[0].connect() as c:
        assert c.scalar(text("SELECT count(*) FROM softmax_throttles")) == 0


def test_the_teacher_locks_joining_lets_the_waiting_in_and_removes_a_student(db):
    new = db.start_class(TEACHERS)
    ticket = db.ticket(new.code)
    real, fake = pupil(db, new.code), pupil(db, new.code)
    db.record(new.code, real, RIGHT)
    db.record(new.code, fake, Answer("se.1", "5318008", False, "other"))
    roster = db.roster(new.key)
    assert [(s.state, s.answers) for s in roster] == [("in", 1), ("in", 1)] and db.roster("wrong key") is None
    nicknames = {s.nickname for s in roster}
    assert len(nicknames) == 2 and db.seat(new.code, real).nickname in nicknames
    assert db.lock(new.key, True) and db.summary(new.code).locked
    late = store.student_id()
    with pytest.raises(Refused, match="waiting") as waiting:  # even with the link: the teacher decides
        db.join(new.code, late, store.network_of("192.0.2.5"), ticket=ticket)
    late_name = waiting.value.values["nickname"]
    assert db.roster(new.key)[0] == store.Seat(late_name, "waiting", 0)
    assert db.join(new.code, real, PUPILS) == new.code  # those inside stay in
    assert not db.let_in(new.key, "<script>") and not db.let_in("wrong key", late_name)
    assert db.let_in(new.key, late_name) and db.join(new.code, late, PUPILS) == new.code
    fake_name = db.seat(new.code, fake).nickname
    assert db.remove(new.key, fake_name) and not db.remove(new.key, "x-1")
    assert db.seat(new.code, fake).state == "removed"
    with pytest.raises(Refused, match="removed"):
        db.join(new.code, fake, PUPILS, ticket=ticket)
    with pytest.raises(Refused, match="not_joined"):
        db.record(new.code, fake, RIGHT)
    summary = db.summary(new.code)
    assert (summary.joined, summary.waiting, summary.students) == (2, 0, 1)  # the fake's answer left the counts
    assert summary.singles == () and {s.nickname for s in db.roster(new.key)} == {late_name} | nicknames - {fake_name}
    assert db.lock(new.key, False)
    assert db.join(new.code, store.student_id(), store.network_of("192.0.2.6"), ticket=ticket) == new.code


def test_a_new_round_clears_the_answers_and_keeps_the_class(db):
    new = db.start_class(TEACHERS)
    me = pupil(db, new.code)
    db.record(new.code, me, SLIP)
    db.hide(new.key, SLIP.step, SLIP.latex)
    assert not db.clear_answers("wrong key") and db.summary(new.code).students == 1
    assert db.clear_answers(new.key)
    summary = db.summary(new.code)
    assert (summary.students, summary.hidden, summary.joined) == (0, 0, 1)
    db.record(new.code, me, RIGHT)  # still in the class
    assert db.summary(new.code).students == 1


def test_the_teachers_export_lists_each_answer_by_nickname_and_nothing_that_names_a_student(db, clock):
    new = db.start_class(TEACHERS)
    me, other = pupil(db, new.code), pupil(db, new.code)
    db.record(new.code, me, SLIP)
    clock.now += 5
    db.record(new.code, other, RIGHT)
    rows = db.export(new.key)
    names = [db.seat(new.code, s).nickname for s in (me, other)]
    assert rows == (
        store.Record(clock.now - 5, names[0], SLIP.step, SLIP.latex, "sign"),
        store.Record(clock.now, names[1], RIGHT.step, RIGHT.latex, None),
    )
    assert db.export("wrong key") is None
    assert me not in repr(rows) and PUPILS not in repr(rows)
