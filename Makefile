# Every target creates .venv/ from the pins when it is missing (needs only python3.11 and make).
PYTHON_BOOTSTRAP ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
BENCH_STUDENTS ?= 40
HUB_PREFIX ?= /srv/course-hub
HUB_PORT ?= 8000
PIP_FLAGS := --disable-pip-version-check --no-input --quiet

.PHONY: demo test test-browser test-hub hub lint lab release check-release bench reproduce lock clean-grading venv

venv: $(STAMP)

$(STAMP): requirements.txt constraints.txt pyproject.toml
	@test -x $(PY) || $(PYTHON_BOOTSTRAP) -m venv $(VENV)
	$(PY) -m pip install $(PIP_FLAGS) -r requirements.txt -c constraints.txt
	$(PY) -m pip install $(PIP_FLAGS) --no-deps -e .
	@touch $@

## demo: build the release, create sample submissions, grade them, print the grade table
demo: $(STAMP)
	$(PY) -m autograder demo

## test: unit tests, nbval over every source notebook, release sync, end-to-end grading
test: $(STAMP)
	$(PY) -m pytest

## test-browser: only the browser tests (JupyterLab in Chromium; screenshots in tests/browser-screenshots/)
test-browser: $(STAMP)
	$(PY) -m pytest -m browser tests/system/test_browser.py

## test-hub: only the JupyterHub end-to-end test (root, Node, Chromium; screenshots tests/browser-screenshots/hub-*.png)
test-hub: $(STAMP)
	$(PY) -m pytest -m hub -n 0 tests/system/test_hub.py

## hub: as root, install and start the course's JupyterHub on http://127.0.0.1:$(HUB_PORT)/ with demo users (prints their passwords)
hub:
	@test "$$(id -u)" = 0 || { echo "make hub needs root: it creates Unix users and a root-owned exchange"; exit 1; }
	$(PYTHON_BOOTSTRAP) deploy/jupyterhub/install.py --prefix $(HUB_PREFIX) --port $(HUB_PORT) --demo
	cd $(HUB_PREFIX)/state && exec $(HUB_PREFIX)/env/bin/jupyterhub -f $(HUB_PREFIX)/jupyterhub_config.py

## lint: ruff over the packages, tests, benchmarks and notebooks (also part of `make test`)
lint: $(STAMP)
	$(PY) -m ruff check .

## lab: open JupyterLab on the student notebooks
lab: $(STAMP)
	cd release && ../$(PY) -m jupyter lab

## release: regenerate release/ from source/ (commit the result)
release: $(STAMP)
	$(PY) -m autograder release

## check-release: fail if release/ is not what source/ generates
check-release: $(STAMP)
	$(PY) -m autograder release --check

## bench: print wall times of the grading pipeline steps, of grading a synthetic class, and the similarity figures
bench: $(STAMP)
	$(PY) benchmarks/bench_pipeline.py
	$(PY) benchmarks/bench_rules.py
	$(PY) benchmarks/bench_class.py --students $(BENCH_STUDENTS)
	$(PY) benchmarks/bench_similarity.py --students $(BENCH_STUDENTS)

## reproduce: measure every syllabus claim over 5 seeds at full size; writes course/reproduction/claims.{md,csv} (~20 min)
reproduce: $(STAMP)
	$(PY) -m course.claims

## lock: refresh constraints.txt from the current .venv
lock: $(STAMP)
	@{ sed -n '1,3p' constraints.txt; $(PY) -m pip freeze --exclude-editable; } > constraints.txt.new
	mv constraints.txt.new constraints.txt

## clean-grading: remove runtime grading state (submissions, grades, feedback)
clean-grading:
	rm -rf submitted autograded feedback gradebook.db grades.csv grading_records.json grading_records.jsonl grading_records.lock grading_registered.json grading_registered.lock report
