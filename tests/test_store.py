"""The class store (store.py) against SQLite and a real PostgreSQL: what it keeps, what it refuses,
and that the dashboard's numbers are what the students answered."""

from __future__ import annotations

import threading
from dataclasses import fields

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, inspect, select, text

import store
from core import checker
from store import Answer, Refused, Store, TokenBucket


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
    s = Store(engine, clock=clock, unknown_codes=TokenBucket(rate=2.0, burst=5, clock=clock))
    s.migrate()
    yield s
    engine.dispose()


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


def test_replicas_starting_together_create_one_schema(url):
    engines = [create_engine(url) for _ in range(4)]
    failures = []

    def start(engine):
        try:
            Store(engine).migrate()
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            failures.append(error)

    threads = [threading.Thread(target=start, args=(e,)) for e in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    with engines[0].connect() as c:
        assert c.scalar(text("SELECT count(*) FROM softmax_schema")) == 1
    for engine in engines:
        engine.dispose()


def test_a_class_has_a_short_code_and_a_secret_key_stored_only_hashed(db):
    new = db.start_class()
    assert store.CODE_PATTERN.fullmatch(new.code)
    assert len(new.key) >= 22  # token_urlsafe(24): 192 random bits, at least the 128 asked for
    assert db.teacher_class(new.key) == new.code
    with db.engine.connect() as c:
        stored = [str(v) for row in c.execute(select(store.classes)).all() for v in row]
    assert new.key not in " ".join(stored)
    assert store.key_hash(new.key) in stored
    assert db.start_class().code != new.code


@pytest.mark.parametrize("key", ["", None, "wrong", "x" * 5000])
def test_a_wrong_or_missing_key_is_no_teachers(db, key):
    db.start_class()
    assert db.teacher_class(key) is None
    assert db.end_class(key or "") is False
    assert db.point_class(key or "", "softmax") is False


def test_after_24_hours_a_class_is_gone_with_its_answers(db, clock):
    new = db.start_class()
    db.record(new.code, store.student_id(), RIGHT)
    clock.now += store.LIFETIME - 1
    assert db.teacher_class(new.key) == new.code
    clock.now += 2
    assert db.teacher_class(new.key) is None
    assert db.pace(new.code) is None
    with pytest.raises(Refused, match="unknown"):
        db.join(new.code)
    with pytest.raises(Refused, match="ended"):
        db.record(new.code, store.student_id(), RIGHT)
    assert db.clean() == 1
    with db.engine.connect() as c:
        assert c.scalar(text("SELECT count(*) FROM softmax_answers")) == 0
        assert c.scalar(text("SELECT count(*) FROM softmax_classes")) == 0


def test_ending_a_class_deletes_its_rows_and_no_other_class(db):
    mine, other = db.start_class(), db.start_class()
    for code in (mine.code, other.code):
        db.record(code, store.student_id(), RIGHT)
    assert db.end_class(mine.key)
    assert db.teacher_class(mine.key) is None
    assert db.summary(mine.code).students == 0
    assert db.summary(other.code).students == 1


def test_students_join_by_code_in_any_case(db):
    new = db.start_class()
    assert db.join(new.code.lower()) == new.code
    assert db.join(f"  {new.code} ") == new.code
    for text_ in ("", None, "K7Q2P", "K7Q2PX0", "<script>", "O0O0O0", "ABC DEF"):
        with pytest.raises(Refused):
            db.join(text_)


def test_guessing_codes_is_throttled_for_the_whole_server(db, clock):
    new = db.start_class()
    answers = []
    for guess in ("AAAAAA", "AAAAAB", "AAAAAC", "AAAAAD", "AAAAAE", "AAAAAF", "AAAAAG"):
        with pytest.raises(Refused) as refused:
            db.join(guess)
        answers.append(refused.value.key)
    assert answers == ["unknown"] * 5 + ["busy"] * 2  # the burst; then even a right code waits
    with pytest.raises(Refused, match="busy"):
        db.join(new.code)
    clock.now += 1
    assert db.join(new.code) == new.code  # 2 a second again


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
    new = db.start_class()
    with pytest.raises(Refused):
        db.record(new.code, store.student_id(), answer)
    for code, student in ((new.code, "not-hex"), ("AAAAAA", store.student_id())):
        with pytest.raises(Refused):
            db.record(code, student, RIGHT)
    assert db.summary(new.code).students == 0


def test_a_student_and_a_class_answer_at_a_bounded_rate(db, clock, monkeypatch):
    new = db.start_class()
    student = store.student_id()
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
        db.record(new.code, store.student_id(), RIGHT)
    with pytest.raises(Refused, match="class_rate"):
        db.record(new.code, store.student_id(), RIGHT)
    monkeypatch.setattr(store, "MAX_ROWS", 24)  # rows so far
    clock.now += window + 1
    with pytest.raises(Refused, match="class_full"):
        db.record(new.code, store.student_id(), RIGHT)


def test_the_dashboard_counts_each_students_latest_verdict(db):
    new = db.start_class()
    right, slipped, changed = (store.student_id() for _ in range(3))
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
    new = db.start_class()
    wrong = [Answer("se.1", f"{n} P_{{se}}", False, "factor") for n in range(2, 10)]
    for index, answer in enumerate(wrong):
        for _ in range(index + 1):
            db.record(new.code, store.student_id(), answer)
    shown = db.summary(new.code).wrong
    assert [w.students for w in shown] == [8, 7, 6, 5, 4, 3]
    assert shown[0].latex == wrong[-1].latex


def test_the_teacher_points_the_class_at_a_page(db, clock):
    new = db.start_class()
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
    db = Store(engine)
    db.migrate()
    new = db.start_class()
    students = [store.student_id() for _ in range(5)]
    latest = {}
    for who, step, slip in answers:
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
