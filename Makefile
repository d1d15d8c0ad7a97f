# Two commands on a fresh machine: `make run` (demo app) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test test-replica lint bench setup messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

setup: $(VENV)/.installed

var/secret_key:
	mkdir -p var
	$(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > $@

# Demo mode: migrate, reference data, every official area, the Cibeureum demo village and its
# demo accounts, then gunicorn.
run: setup var/secret_key
	@export DJANGO_SECRET_KEY="$$(cat var/secret_key)" DJANGO_ALLOWED_HOSTS="$(HOST),localhost,127.0.0.1"; \
	$(BIN)/python manage.py migrate --no-input -v0 && \
	$(BIN)/python manage.py collectstatic --no-input -v0 && \
	$(BIN)/python manage.py loaddata referensi -v0 && \
	$(BIN)/python manage.py load_wilayah && \
	$(BIN)/python manage.py load_demo --accounts && \
	echo "Serving on http://$(HOST):$(PORT)/ — press Ctrl+C to stop." && \
	$(BIN)/gunicorn wksbm_site.wsgi --bind "$(HOST):$(PORT)" --workers 2 --timeout 120 --access-logfile -

lint: setup
	$(BIN)/ruff check .

test: setup lint
	$(BIN)/pytest

# The replica test (tests/replica): a real primary and a streaming replica of this machine's
# PostgreSQL, started here (as .ci/run does) and left running; `tests/replica/cluster.sh down`.
test-replica: setup
	@urls="$$(bash tests/replica/cluster.sh up)"; \
	WKSBM_REPLICA_PRIMARY="$$(echo "$$urls" | sed -n 1p)" \
	WKSBM_REPLICA_STANDBY="$$(echo "$$urls" | sed -n 2p)" $(BIN)/pytest tests/replica

# The benchmarks: import (100,000 memberships), recap and pages (a city of 100,000 groups against
# one of 300), network (30,000 groups, 100,000 links), load (gunicorn under concurrent users, an
# import beside), scale (a village, a city, a province of 1,000,000 groups from generate_demo),
# hostile (workbooks made to exhaust the server, against the demo village's), aid (issue 19: the
# double-aid check of a 10,000-row import, a person's and a programme's pages, the province's
# recap; BENCH_AID_SIZE=full for 1,000,000 people and 2,000,000 distributions), verification
# (issue 20: a round's progress page for a district of 300 villages against one of 30); replica
# (issue 22: a streaming replica killed mid-run, pgbouncer; its own clusters, PostgreSQL only);
# BENCH_DB=postgres://…/NAME_WITH_bench runs them on PostgreSQL.
bench: setup
	$(BIN)/python bench/import_bench.py $(if $(BENCH_DB),--database-url $(BENCH_DB))
	$(BIN)/python bench/rekap_bench.py $(if $(BENCH_DB),--database-url $(BENCH_DB))
	$(BIN)/python bench/pages_bench.py $(if $(BENCH_DB),--database-url $(BENCH_DB))
	$(BIN)/python bench/network_bench.py $(if $(BENCH_DB),--database-url $(BENCH_DB))
	$(BIN)/python bench/load_bench.py $(if $(BENCH_DB),--database-url $(BENCH_DB))
	$(BIN)/python bench/scale_bench.py $(if $(BENCH_DB),--database-url $(BENCH_DB)) --explain
	$(BIN)/python bench/hostile_bench.py $(if $(BENCH_DB),--database-url $(BENCH_DB))
	$(BIN)/python bench/bantuan_bench.py $(if $(BENCH_DB),--database-url $(BENCH_DB)) --size $(or $(BENCH_AID_SIZE),small)
	$(BIN)/python bench/verifikasi_bench.py $(if $(BENCH_DB),--database-url $(BENCH_DB))
	$(BIN)/python bench/lampau_bench.py $(if $(BENCH_DB),--database-url $(BENCH_DB))
	$(BIN)/python bench/replica_bench.py

messages: setup
	DJANGO_DEBUG=True $(BIN)/python manage.py makemessages -l id --no-obsolete --ignore '.venv/*' --ignore 'var/*'
	DJANGO_DEBUG=True $(BIN)/python manage.py compilemessages -l id --ignore '.venv/*'

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
