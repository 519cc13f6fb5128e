# Two commands a newcomer needs: `make lab` and `make test`. Both create .venv when it is missing.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin

# Lesson-sized matrices are small: BLAS threads only add overhead (4-12x slower on a busy two-core machine).
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1

NBVAL := --nbval --nbval-current-env --nbval-sanitize-with nbval_sanitize.cfg

.PHONY: lab present test test-another-machine lint install notebooks handouts figures screenshots bench clean hub test-hub \
	bench-classroom

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when pyproject.toml changed since the last install of these extras.
$(VENV)/.installed-%: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[$*]"
	touch $@

install: $(VENV)/.installed-lab,test

# Containers and classroom VMs often run as root, where JupyterLab refuses to start without --allow-root.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: $(VENV)/.installed-lab
	$(BIN)/jupyter lab $(ALLOW_ROOT) notebooks/

# A lesson's presenter view for the class (Voilà: the dashboards with their headings, preset buttons and
# takeaways, one large panel at a time, no code and no lesson prose), opened in the browser:
#   make present NB=02        (notebooks/present/02_*.ipynb)
# A path shows that notebook as an app instead, e.g. the whole lesson: make present NB=notebooks/02_dropout.ipynb
present: $(VENV)/.installed-lab
	@notebook="$(NB)"; [ -f "$$notebook" ] || notebook="$$(ls notebooks/present/$(NB)*.ipynb 2>/dev/null | head -n 1)"; \
	if [ -z "$(NB)" ] || [ ! -f "$$notebook" ]; then \
		echo "make present: NB='$(NB)' names no lesson; use a lesson's number or a notebook's path, one of:"; \
		ls notebooks/present/*.ipynb | sed 's/^/  /'; exit 2; \
	fi; \
	echo "Presenting $$notebook (Ctrl-C stops the server)"; \
	exec $(BIN)/voila --Voila.ip=127.0.0.1 "$$notebook"

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .

# "Another machine", simulated on this one: another BLAS kernel sums matrix products in another order and,
# with NumPy's AVX2 loops off, tanh and exp round differently, as on a student's laptop or a Binder node. A
# lesson's stored outputs and its teaching claims must not hang on the last bits of one CPU.
ARCH := $(shell uname -m)
OTHER_MACHINE := $(if $(filter x86_64,$(ARCH)),OPENBLAS_CORETYPE=Sandybridge NPY_DISABLE_CPU_FEATURES=X86_V3,$(if $(filter aarch64 arm64,$(ARCH)),OPENBLAS_CORETYPE=ARMV8))

# Two pytest workers, each taking whole files (a notebook's cells must run in order in one kernel).
PARALLEL := -n 2 --dist loadfile

# The unit, gradient, property, claim and widget tests and every notebook under nbval in strict mode; then
# the browser tests (JupyterLab and Voilà in headless Chromium; one skip line when /usr/bin/chromium is
# missing); then the notebooks and the teaching claims once more on "another machine"; then JupyterHub serving a
# lesson to a dummy student (about 20 s, in its own venv).
test: lint
	$(BIN)/python -m pytest $(PARALLEL) -m "not browser" tests notebooks $(NBVAL)
	$(BIN)/python -m pytest -m browser tests/browser
	$(MAKE) --no-print-directory test-another-machine
	$(MAKE) --no-print-directory test-hub

test-another-machine: $(VENV)/.installed-test
	$(OTHER_MACHINE) $(BIN)/python -m pytest -p no:cacheprovider $(PARALLEL) tests/test_teaching_claims_*.py notebooks $(NBVAL)

# Re-run every lesson, presenter and exercise notebook and store its outputs (and widget state), after changing a
# notebook or the library.
notebooks: $(VENV)/.installed-lab,test
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
		--ExecutePreprocessor.store_widget_state=True notebooks/*.ipynb notebooks/present/*.ipynb \
		notebooks/exercises/*.ipynb

# The students' versions of the exercise notebooks: every solution replaced by `raise NotImplementedError`,
# outputs cleared, nbgrader metadata kept. In build/handouts/ (git-ignored), outside notebooks/: nbval never
# collects them.
handouts: $(VENV)/.installed-test
	$(BIN)/python -m rnnreg.exercises.handouts notebooks/exercises build/handouts

# Redraw every figure the README shows, from the library.
figures: $(VENV)/.installed-test
	$(BIN)/python figures/make_figures.py

# The README's dashboard pictures are screenshots from the browser tests: run those of the lessons they show
# (fresh, so that no old screenshot can be copied) and copy them into figures/.
screenshots: $(VENV)/.installed-test
	rm -rf tests/browser/screenshots
	$(BIN)/python -m pytest -p no:cacheprovider -m browser tests/browser -k "01_regularizers or 03_batch_norm or 04_recurrent"
	cp tests/browser/screenshots/presenter-04_recurrent-dashboard2.png figures/screenshot-presenter-memory-task.png
	cp tests/browser/screenshots/lab-03_batch_norm.png figures/screenshot-lab-batch-norm.png
	cp tests/browser/screenshots/voila-04_recurrent-dashboard2.png figures/screenshot-voila-memory-task.png
	cp tests/browser/screenshots/voila-01_regularizers-dashboard1.png figures/screenshot-voila-regularizers.png

clean:
	rm -rf $(VENV) $(BENCH_VENV) .pytest_cache .ruff_cache .hypothesis build *.egg-info
	rm -rf $(HUB_DIR)/.venv $(HUB_DIR)/node_modules $(HUB_DIR)/state

# Speed against PyTorch on the CPU. Only this target installs PyTorch, into its own .venv-bench.
BENCH_VENV := .venv-bench

$(BENCH_VENV)/.installed: pyproject.toml
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet -e ".[bench]"
	touch $@

# Then how quickly every dashboard answers a slider (retrain + redraw, and the redraw alone), and the wall
# time of each part of `make test`. Results as tables and as JSON in benchmarks/results/.
bench: $(BENCH_VENV)/.installed $(VENV)/.installed-lab,test
	$(BENCH_VENV)/bin/python -m pytest -q -p no:cacheprovider benchmarks/test_torch_twin.py
	$(BENCH_VENV)/bin/python benchmarks/bench_torch.py
	$(BENCH_VENV)/bin/python benchmarks/bench_torch.py --dtype float32 --no-profile
	$(BENCH_VENV)/bin/python benchmarks/bench_plain.py
	$(BIN)/python benchmarks/bench_interactive.py
	$(BIN)/python benchmarks/bench_suite.py --python $(BIN)/python

# JupyterHub for a course, as a dry run on 127.0.0.1 (deploy/jupyterhub/README.md): users student1 ... student10,
# password rnnreg, each home seeded with the lessons. Its own venv (deploy/jupyterhub/.venv, with the lab, test and
# hub extras) and the proxy from npm (npm ci there), so that `make test` never sees JupyterHub.
HUB_DIR := deploy/jupyterhub
HUB_VENV := $(HUB_DIR)/.venv
HUB_PORT ?= 8000

$(HUB_VENV)/.installed: pyproject.toml $(HUB_DIR)/package-lock.json
	test -x $(HUB_VENV)/bin/python || $(PYTHON) -m venv $(HUB_VENV)
	$(HUB_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(HUB_VENV)/bin/python -m pip install --quiet -e ".[lab,test,hub]"
	cd $(HUB_DIR) && npm ci --no-audit --no-fund
	touch $@

hub: $(HUB_VENV)/.installed
	@$(HUB_VENV)/bin/python -c "import socket; socket.create_server(('127.0.0.1', $(HUB_PORT))).close()" 2>/dev/null \
		|| { echo "make hub: port $(HUB_PORT) is taken; choose another: make hub HUB_PORT=8010"; exit 2; }
	@echo "JupyterHub at http://127.0.0.1:$(HUB_PORT)/ : log in as student1 ... student10, password rnnreg (Ctrl-C stops it)"
	cd $(HUB_DIR) && RNNREG_HUB_PORT=$(HUB_PORT) exec .venv/bin/jupyterhub -f jupyterhub_config.py

# N simulated students (default 10) log in to the hub at once, run lesson 01 and move its L1/L2 slider: run time,
# slider latency, memory, CPU and the sizing for a course of 80 (benchmarks/README.md, "Classroom load"). Not in
# `make test`: about 2.5 minutes for 10 students.
STUDENTS ?= 10
bench-classroom: $(HUB_VENV)/.installed
	$(HUB_VENV)/bin/python benchmarks/classroom_load.py --students $(STUDENTS)

# Starts the hub on free ports, logs in student1, spawns the server and reads a lesson through it (about 20 s).
test-hub: $(HUB_VENV)/.installed
	$(HUB_VENV)/bin/python -m pytest -p no:cacheprovider -m hub tests/test_hub.py
