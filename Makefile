# Quick start: `make run` serves the app on $(PORT) (one process: a student's laptop); `make serve` hosts it
# for a class, $(WORKERS) replicas (default: one per core) behind nginx on $(PORT); `make test` installs what the tests need and runs them;
# `make slides OUT=folder` exports every figure as 16:9 PNG and SVG slides; `make bench` measures the
# server per rerun, a class of 40 and of 100 (and one flooding client), a class of 100 answering page 8 under the
# teacher's dashboard, one hostile client against class mode, and the browser (about 27 min).
PORT ?= 8501
WORKERS ?= $(shell nproc)
OUT ?= slides
BENCH_OUT ?= bench-results
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run serve test lint chromium nginx postgresql slides bench clean

$(VENV)/runtime.stamp: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/slides.stamp: $(VENV)/runtime.stamp requirements-slides.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-slides.txt
	touch $@

$(VENV)/bench.stamp: $(VENV)/runtime.stamp requirements-bench.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-bench.txt
	touch $@

$(VENV)/dev.stamp: $(VENV)/slides.stamp requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

run: $(VENV)/runtime.stamp
	$(PY) -m streamlit run server.py --server.port $(PORT)

# Replicas share the class store: SOFTMAX_DATABASE_URL if set, else the one SQLite file classes.sqlite.
# Ctrl-C stops nginx and every replica.
serve: $(VENV)/runtime.stamp nginx
	$(PY) -m deploy.serve --workers $(WORKERS) --port $(PORT)

# Debian's chromium for the browser tests, and CJK fonts so Chinese pages render (not as boxes).
chromium:
	@{ test -x $(CHROMIUM) && dpkg -s fonts-noto-cjk >/dev/null 2>&1; } || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

# Debian's nginx, for `make serve` and its test (tests/test_replicas.py runs deploy/serve.py).
nginx:
	@command -v nginx >/dev/null 2>&1 || test -x /usr/sbin/nginx || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nginx >/dev/null; }

# Debian's postgresql, for the class store's tests and the replicas sharing one database
# (harness/postgres.py starts a private cluster on loopback; the package's own cluster is not used).
postgresql:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql >/dev/null; }

# Kaleido renders the figures in Debian's chromium (the `chromium` target installs it).
slides: $(VENV)/slides.stamp chromium
	BROWSER_PATH=$(CHROMIUM) $(PY) export_slides.py "$(OUT)"

lint: $(VENV)/dev.stamp
	$(PY) -m ruff check .

# The browser tests leave a screenshot of every page in test-screenshots/ for a person to look at.
# Two pytest workers (pytest-xdist): the browser tests spend most of their time waiting for the
# browser and the servers, so two share two cores well (6 min instead of 8 here).
test: $(VENV)/dev.stamp chromium nginx postgresql lint
	TEST_SCREENSHOTS=$(CURDIR)/test-screenshots $(PY) -m pytest -q -n 2 --dist worksteal

# Each benchmark starts its own servers with the app's config and prints its figures; JSON goes to $(BENCH_OUT)/.
bench: $(VENV)/dev.stamp $(VENV)/bench.stamp chromium nginx postgresql
	mkdir -p $(BENCH_OUT)
	$(PY) bench/rerun.py --json $(BENCH_OUT)/rerun.json
	$(PY) bench/load.py --students 40 --seconds 60 --json $(BENCH_OUT)/load-40.json
	$(PY) bench/load.py --students 100 --seconds 60 --json $(BENCH_OUT)/load-100.json
	$(PY) bench/load.py --students 100 --seconds 60 --replicas 2 --json $(BENCH_OUT)/load-100-replicas.json
	$(PY) bench/load.py --students 40 --seconds 60 --flood --json $(BENCH_OUT)/load-40-flood.json
	$(PY) bench/load.py --students 100 --seconds 60 --class-mode --json $(BENCH_OUT)/load-100-class.json
	$(PY) bench/load.py --students 100 --seconds 60 --class-mode --replicas 2 --json $(BENCH_OUT)/load-100-class-replicas.json
	$(PY) bench/class_demo.py --out $(BENCH_OUT)/class-dashboard
	$(PY) bench/abuse.py --json $(BENCH_OUT)/abuse.json
	$(PY) bench/browser.py --json $(BENCH_OUT)/browser.json

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
