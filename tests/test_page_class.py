"""Class mode as its users meet it, through AppTest: a teacher starts a class and opens it by
link, students join by link and answer page 8, a wrong key shows nothing, limits answer briefly.
Each test has its own SQLite database (SOFTMAX_DATABASE_URL)."""

from __future__ import annotations

import csv
import io
import json
import re
import time

import pytest
from sqlalchemy import create_engine, func, select

import store
from core import checker, pages
from drawing import dashboard
from drawing.i18n import TEXT, nickname
from guard import ids
from tests.test_app import all_text, figures, open_app
from tests.test_store import TEACHERS, pupil

CLASS_PAGE = pages.BY_NAME["class"].file
CHECK_PAGE = pages.BY_NAME["check"].file
LANG = {"en": 0, "zh": 1}


@pytest.fixture
def classes(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'classes.sqlite'}"
    monkeypatch.setenv("SOFTMAX_DATABASE_URL", url)
    engine = create_engine(url)
    db = store.Store(engine)
    db.migrate()
    yield db
    engine.dispose()


def text(key: str, lang: str = "en", **values) -> str:
    value = TEXT[key][LANG[lang]]
    return value.format(**values) if values else value


def shown(at) -> str:
    more = [e.value for kind in (at.info, at.caption, at.code, at.header) for e in kind]
    return "\n".join([all_text(at), *more])


def button(at, key: str, lang: str = "en"):
    return next(b for b in at.button if b.label == text(key, lang))


def answer(at, short: str, step: str, typed: str):
    at.button_group(key="check_species").set_value(short)
    at.button_group(key="check_step").set_value(step)
    at.text_input(key="check_answer").input(typed)
    return at.run()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_teacher_starts_a_class_and_gets_both_links_once(classes, lang):
    at = open_app(lang=lang).switch_page(CLASS_PAGE).run()
    assert not at.exception
    assert text("class_intro", lang) in shown(at)
    button(at, "class_start", lang).click().run()
    assert not at.exception
    ((code, key_hash),) = classes.engine.connect().execute(select(store.classes.c.code, store.classes.c.key_hash))
    assert at.title[0].value == text("class_header", lang, code=code)
    student_link = next(link for link in re.findall(r"http\S+", shown(at)) if "class=" in link)
    teacher_link = next(c.value for c in at.code if "teacher=" in c.value)
    assert f"class={code}" in student_link and f"lang={lang}" in student_link
    assert f"join={classes.ticket(code)}" in student_link  # the link's ticket: never throttled
    assert len(at.get("image")) == 1  # its QR code (drawing.qr; test_browser_class reads it back)
    key = teacher_link.partition("teacher=")[2].partition("&")[0]
    assert store.key_hash(key) == key_hash and classes.teacher_class(key) == code
    assert "teacher" not in at.query_params
    assert len(figures(at)) == 1 and text("class_students", lang, n=0) in shown(at)
    sidebar = [getattr(node, "key", None) or getattr(node, "value", None) for node in in_order(at.sidebar)]
    assert sidebar.index("class_point_page") < sidebar.index("lang") < sidebar.index("b3"), (
        "the class's controls come right under the page links, above the shared ones"
    )
    button(at, "class_saved", lang).click().run()
    assert key not in shown(at), "shown once: gone once saved"
    assert at.title[0].value == text("class_header", lang, code=code), "the dashboard stays"


def test_the_teacher_link_opens_the_dashboard_and_leaves_the_address_bar(classes):
    new = classes.start_class(TEACHERS)
    at = open_app(teacher=new.key, lang="zh")
    assert "teacher" not in at.query_params
    at.switch_page(CLASS_PAGE).run()
    assert at.title[0].value == text("class_header", "zh", code=new.code)
    assert new.key not in shown(at)


@pytest.mark.parametrize("key", ["wrong", "A" * 32, "x" * 5000, "<b>hi</b>"])
def test_a_wrong_key_shows_nothing_of_any_class(classes, key):
    new = classes.start_class(TEACHERS)
    classes.record(new.code, pupil(classes, new.code), store.Answer("vi.result", "- P_{se}", False, "sign"))
    at = open_app(teacher=key).switch_page(CLASS_PAGE).run()
    assert not at.exception
    assert [e.value for e in at.error] == [text("class_no_dashboard")]
    assert new.code not in shown(at) and not figures(at) and not at.get("latex")


def test_an_ended_or_expired_class_shows_nothing(classes):
    new = classes.start_class(TEACHERS)
    classes.end_class(new.key)
    at = open_app(teacher=new.key).switch_page(CLASS_PAGE).run()
    assert [e.value for e in at.error] == [text("class_no_dashboard")] and not figures(at)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_student_joins_by_link_and_their_verdicts_reach_the_dashboard(classes, lang):
    new = classes.start_class(TEACHERS)
    at = open_app(**{"class": new.code.lower(), "lang": lang})
    assert not at.exception
    assert at.query_params["class"] == new.code
    assert text("class_in", lang, code=new.code, nickname=nickname_of(at, classes, new.code, lang)) in shown(at)
    at.switch_page(CHECK_PAGE).run()
    answer(at, "vi", "result", "-P_se")
    assert text("class_sent", lang, code=new.code) in shown(at)
    answer(at, "vi", "result", "P_se")
    answer(at, "vi", "result", "P_se")  # the same answer again is not sent twice
    summary = classes.summary(new.code)
    result = summary.steps[-1]
    assert (summary.students, result.right, result.slips["sign"]) == (1, 1, 0)
    assert summary.wrong == () and [(w.latex, w.students) for w in summary.singles] == [("- P_{se}", 1)]
    with classes.engine.connect() as db:
        assert db.execute(select(store.answers.c.latex)).scalars().all() == ["- P_{se}", "P_{se}"]


def nickname_of(at, classes, code: str, lang: str = "en") -> str:
    """The nickname of the app's student (this session's id, as `streamlit run app.py` gives one)."""
    return nickname(classes.seat(code, at.session_state["class_student"]).nickname, lang)


def test_a_student_not_in_a_class_sends_nothing(classes):
    classes.start_class(TEACHERS)
    at = open_app().switch_page(CHECK_PAGE).run()
    answer(at, "vi", "result", "-P_se")
    assert classes.summary("AAAAAA").students == 0
    with classes.engine.connect() as db:
        assert db.execute(select(store.answers)).all() == []


@pytest.mark.parametrize(
    "code, note", [("nope!", "note_class_code"), ("AAAAAA", "class_unknown"), ("<i>", "note_class_code")]
)
def test_a_bad_or_unknown_code_says_so_and_leaves_the_class_out(classes, code, note):
    at = open_app(**{"class": code})
    assert not at.exception
    assert text(note) in [w.value for w in at.warning]
    assert "class" not in at.query_params


def test_a_student_leaves_the_class(classes):
    new = classes.start_class(TEACHERS)
    at = open_app(**{"class": new.code})
    joined = text("class_in", code=new.code, nickname=nickname_of(at, classes, new.code))
    assert joined in shown(at)
    button(at, "class_leave").click().run()
    assert "class" not in at.query_params
    assert joined not in shown(at)


def test_a_student_over_the_rate_gets_a_short_message_and_nothing_is_stored(classes, monkeypatch):
    monkeypatch.setattr(store, "STUDENT_LIMIT", (1, 60.0))
    new = classes.start_class(TEACHERS)
    at = open_app(**{"class": new.code}).switch_page(CHECK_PAGE).run()
    answer(at, "se", "1", "1/P_se")
    answer(at, "se", "1", "-1/P_se")  # a second answer within the minute
    assert not at.exception
    assert text("class_student_rate") in [w.value for w in at.warning]
    assert classes.summary(new.code).steps[0].slips["sign"] == 1 and classes.summary(new.code).steps[0].right == 0


def test_the_teachers_pointer_reaches_the_students_page(classes):
    new = classes.start_class(TEACHERS)
    classes.point_class(new.key, "chain_rule_vi")
    at = open_app(**{"class": new.code})
    assert text("class_go", page=text("page_chain_vi")) in [m.value for m in at.markdown]
    links = [link for link in at.get("page_link") if link.proto.label == text("page_chain_vi")]
    assert links, "a link to the page"
    button(at, "class_not_now").click().run()
    assert text("class_go", page=text("page_chain_vi")) not in [m.value for m in at.markdown]


def test_a_slide_in_presentation_mode_has_no_pacing_prompt(classes):
    new = classes.start_class(TEACHERS)
    classes.point_class(new.key, "chain_rule_vi")
    at = open_app(**{"class": new.code, "present": "1"})
    assert not at.exception
    assert text("class_go", page=text("page_chain_vi")) not in [m.value for m in at.markdown]
    assert not [b for b in at.button if b.label == text("class_not_now")]


def test_an_unreachable_database_is_a_short_message(monkeypatch):
    monkeypatch.setenv("SOFTMAX_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:9/none?connect_timeout=2")
    at = open_app(**{"class": "K7Q2PX"})
    assert not at.exception
    assert text("class_database") in [w.value for w in at.warning]
    at.switch_page(CLASS_PAGE).run()
    button(at, "class_start").click().run()
    assert not at.exception and text("class_database") in shown(at)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_dashboard_shows_the_classs_counts_and_wrong_answers_and_no_student_ids(classes, lang):
    new = classes.start_class(TEACHERS)
    students = [pupil(classes, new.code) for _ in range(3)]
    for student, typed in zip(students, ("P_se", "-P_se", "-P_se"), strict=True):
        verdict = checker.check(typed, "vi.result")
        classes.record(new.code, student, store.Answer("vi.result", verdict.latex, verdict.equivalent, verdict.slip))
    at = open_app(teacher=new.key, lang=lang).switch_page(CLASS_PAGE).run()
    (figure,) = figures(at)
    (chart,) = at.get("plotly_chart")
    assert json.loads(chart.proto.config)["displayModeBar"] is False, "no toolbar over the legend on hover"
    ces, steps = figure["data"][0]["x"]
    at_result = ces.index("CE_vi") + steps[ces.index("CE_vi") :].index(text("check_result", lang))
    counts = {trace["name"]: trace["y"][at_result] for trace in figure["data"]}
    assert counts[text("class_right", lang)] == 1 and counts[text("slip_sign", lang)] == 2
    assert counts[text("class_answered", lang)] == 3
    assert text("class_students", lang, n=3) in shown(at)
    assert any("= - P_{se}" in e.value for e in at.get("latex"))
    assert text("class_wrong_count", lang, n=2, slip=text("slip_sign", lang)) in shown(at)
    everything = " ".join(str(getattr(node, "proto", "")) for node in walk(at._tree))
    assert new.code in everything and not any(student in everything for student in students)


def walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from walk(child)


def in_order(node):
    """Every element under `node` in the order the page shows them."""
    yield node
    for _, child in sorted(getattr(node, "children", {}).items()):
        yield from in_order(child)


def started_codes(url: str) -> list[str]:
    engine = create_engine(url)
    db = store.Store(engine)
    db.migrate()
    with engine.connect() as connection:
        codes = list(connection.execute(select(store.classes.c.code)).scalars())
    engine.dispose()
    return codes


@pytest.mark.parametrize("from_environment", [False, True])
def test_the_database_comes_from_the_environment_then_secrets(tmp_path, monkeypatch, from_environment):
    in_secrets = f"sqlite:///{tmp_path / 'secrets.sqlite'}"
    in_environment = f"sqlite:///{tmp_path / 'environment.sqlite'}"
    if from_environment:
        monkeypatch.setenv("SOFTMAX_DATABASE_URL", in_environment)
    else:
        monkeypatch.delenv("SOFTMAX_DATABASE_URL", raising=False)
    at = open_app().switch_page(CLASS_PAGE)
    at.secrets["connections"] = {"sql": {"url": in_secrets}}
    at.run()
    button(at, "class_start").click().run()
    assert not at.exception
    chosen, other = (in_environment, in_secrets) if from_environment else (in_secrets, in_environment)
    assert len(started_codes(chosen)) == 1
    assert started_codes(other) == []


def test_an_ended_class_goes_while_no_one_uses_class_mode(classes, monkeypatch):
    monkeypatch.setattr(store, "CLEAN_EVERY", 0.1)
    # Yesterday's class, with an answer, made before the app's cleaner starts: once it runs, it may
    # take the class at any moment (the class had ended before its first student came).
    yesterday = store.Store(classes.engine, clock=lambda: time.time() - 25 * 3600)
    ended = yesterday.start_class(TEACHERS)
    yesterday.record(ended.code, pupil(yesterday, ended.code), store.Answer("se.3", "1", True, None))
    at = open_app(**{"class": classes.start_class(TEACHERS).code})  # the app's store and its cleaner start
    assert not at.exception
    deadline = time.monotonic() + 10
    while ended.code in started_codes(str(classes.engine.url)) and time.monotonic() < deadline:
        time.sleep(0.1)
    with classes.engine.connect() as db:
        assert db.scalar(select(store.classes.c.code).where(store.classes.c.code == ended.code)) is None
        assert db.scalar(select(func.count()).select_from(store.answers)) == 0


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_an_answer_the_database_could_not_take_goes_when_it_is_back(classes, tmp_path, lang):
    new = classes.start_class(TEACHERS)
    at = open_app(**{"class": new.code, "lang": lang}).switch_page(CHECK_PAGE).run()
    database = tmp_path / "classes.sqlite"
    database.chmod(0o444)  # read-only: the app's store refuses to write, and says so
    answer(at, "vi", "result", "-P_se")
    assert not at.exception
    assert text("class_database", lang) in [w.value for w in at.warning]
    assert text("class_waiting", lang) in shown(at) and text("class_sent", lang, code=new.code) not in shown(at)
    assert classes.summary(new.code).students == 0
    database.chmod(0o644)
    at.run()  # the next run of the page (or the pacing fragment's, every PACE_EVERY s): no retyping
    assert text("class_sent", lang, code=new.code) in shown(at) and not at.warning
    at.run()
    with classes.engine.connect() as db:
        assert db.execute(select(store.answers.c.latex)).scalars().all() == ["- P_{se}"]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_teacher_hides_a_wrong_answer_and_lets_a_waiting_student_in(classes, lang):
    new = classes.start_class(TEACHERS)
    for typed in ("5318008", "5318008", "-P_se", "-P_se"):
        verdict = checker.check(typed, "vi.result")
        answer_ = store.Answer("vi.result", verdict.latex, verdict.equivalent, verdict.slip)
        classes.record(new.code, pupil(classes, new.code), answer_)
    lab = store.network_of("192.0.2.7")
    for _ in range(store.PER_NETWORK):
        pupil(classes, new.code, lab)
    waiting = store.student_id()
    with pytest.raises(store.Refused, match="waiting") as refused:
        classes.join(new.code, waiting, lab)
    at = open_app(teacher=new.key, lang=lang).switch_page(CLASS_PAGE).run()
    assert not at.exception
    asked = TEXT["class_waiting_joins_one"][LANG[lang]]
    assert asked in [w.value for w in at.warning]
    assert "5318008" in latex_text(at)
    rank = next(i for i, w in enumerate(classes.summary(new.code).wrong) if w.latex == "5318008")
    at.button(key=f"hide-{rank}").click().run()
    assert "5318008" not in latex_text(at) and "- P_{se}" in latex_text(at)
    assert TEXT["class_show_hidden_one"][LANG[lang]] in [b.label for b in at.button]
    name = refused.value.values["nickname"]
    roster = " ".join(m.value for m in at.sidebar.markdown)
    assert nickname(name, lang) in roster, "the teacher sees who waits, by the nickname the student sees"
    at.button(key=f"let-in-{name}").click().run()
    assert classes.seat(new.code, waiting).state == "in"
    assert asked not in [w.value for w in at.warning]
    at.button(key="class_show_hidden").click().run()
    assert "5318008" in latex_text(at)


def test_the_teacher_locks_joining_removes_a_student_and_starts_a_new_round(classes):
    new = classes.start_class(TEACHERS)
    fake = pupil(classes, new.code)
    classes.record(new.code, fake, store.Answer("se.1", "5318008", False, "other"))
    at = open_app(teacher=new.key).switch_page(CLASS_PAGE).run()
    assert "5318008" in " ".join(e.value for e in at.sidebar.get("latex")), "a single answer: the teacher's eyes"
    assert "5318008" not in " ".join(e.value for e in at.main.get("latex")), "not the projector's"
    at.toggle(key="class_locked").set_value(True).run()
    assert classes.summary(new.code).locked
    with pytest.raises(store.Refused, match="waiting"):
        classes.join(new.code, store.student_id(), store.network_of("192.0.2.8"), ticket=classes.ticket(new.code))
    at.button(key=f"remove-{classes.seat(new.code, fake).nickname}").click().run()
    assert classes.seat(new.code, fake).state == "removed" and classes.summary(new.code).students == 0
    classes.lock(new.key, False)
    me = pupil(classes, new.code)
    classes.record(new.code, me, store.Answer("se.1", checker.check("-1/P_se", "se.1").latex, True, None))
    assert classes.summary(new.code).students == 1
    button(at, "class_new_round_yes").click().run()
    assert classes.summary(new.code).students == 0 and classes.seat(new.code, me).state == "in"


def test_the_teachers_downloads_list_answers_by_nickname_and_counts_per_step(classes):
    new = classes.start_class(TEACHERS)
    me = pupil(classes, new.code)
    classes.record(new.code, me, store.Answer("vi.result", "- P_{se}", False, "sign"))
    at = open_app(teacher=new.key).switch_page(CLASS_PAGE).run()
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == [text("class_export_answers"), text("class_export_summary")]
    answers, summary = (dashboard.answers_csv(classes.export(new.key), "en", nickname),
                        dashboard.summary_csv(classes.summary(new.code).steps, "en"))  # fmt: skip
    rows = list(csv.reader(io.StringIO(answers)))
    assert rows[0] == ["time (UTC)", "student", "step", "answer (LaTeX)", "verdict"]
    name = nickname(classes.seat(new.code, me).nickname, "en")
    assert rows[1][1:] == [name, "CE_vi result", "'- P_{se}", "sign slip"]  # ': a spreadsheet runs no formula
    assert me not in answers
    per_step = list(csv.reader(io.StringIO(summary)))
    assert per_step[-1] == ["CE_vi result", "1", "0", "1", "0", "0", "0"]


def test_a_client_that_loaded_no_page_gets_no_place_in_a_class(classes, monkeypatch):
    monkeypatch.setattr(ids, "issuing_browser_ids", True)  # as under server.py, with no cookie sent
    new = classes.start_class(TEACHERS)
    at = open_app(**{"class": new.code})
    assert not at.exception
    assert text("class_no_browser") in [w.value for w in at.warning]
    assert classes.summary(new.code).joined == 0


def latex_text(at) -> str:
    return "\n".join(e.value for e in at.get("latex"))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_waiting_student_is_told_where_they_are_and_joins_once_let_in(classes, lang, monkeypatch):
    new = classes.start_class(TEACHERS)
    classes.lock(new.key, True)
    at = open_app(**{"class": new.code, "join": classes.ticket(new.code), "lang": lang})
    assert not at.exception
    name = classes.seat(new.code, at.session_state["class_student"]).nickname
    said = text("class_waiting_list", lang, code=new.code, nickname=nickname(name, lang))
    assert said in [w.value for w in at.warning]
    assert at.query_params["class"] == new.code, "the class stays in the address: a reload finds it"
    at.switch_page(CHECK_PAGE).run()
    assert said in [w.value for w in at.warning], "on every page, until they are in"
    classes.let_in(new.key, name)
    at.run()  # the waiting fragment's look (every PACE_EVERY s) or any run
    assert said not in [w.value for w in at.warning]
    assert text("class_in", lang, code=new.code, nickname=nickname(name, lang)) in shown(at)


def test_an_ended_class_is_said_on_every_run_until_the_student_dismisses_it(classes):
    new = classes.start_class(TEACHERS)
    classes.end_class(new.key)
    at = open_app(**{"class": new.code})
    for _ in range(3):
        assert text("class_old_link") in [w.value for w in at.warning]
        at.run()
    assert "class" not in at.query_params
    button(at, "class_dismiss").click().run()
    assert text("class_old_link") not in [w.value for w in at.warning]


def test_a_waiting_student_may_give_up_and_reads_their_nickname_in_their_language(classes):
    new = classes.start_class(TEACHERS)
    classes.lock(new.key, True)
    at = open_app(**{"class": new.code, "lang": "en"})
    name = classes.seat(new.code, at.session_state["class_student"]).nickname
    at.sidebar.segmented_control(key="lang").set_value("zh").run()
    assert text("class_waiting_list", "zh", code=new.code, nickname=nickname(name, "zh")) in [
        w.value for w in at.warning
    ]
    button(at, "class_leave", "zh").click().run()
    assert "class" not in at.query_params and not at.warning
