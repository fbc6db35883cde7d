# dancu: `make run` starts the whole system on SQLite with a demo population; `make test` tests it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres

.PHONY: install run test test-pg lint bench adminunit-data clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	@touch $@

run: install
	$(BIN)/dancu demo --serve

lint: install
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/lint-imports
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

# The same suite against PostgreSQL (CI runs both). The Spark backend's test uses no database
# and takes minutes: `make test` runs it.
test-pg: install
	DANCU_TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest --ignore=tests/linkage/test_spark.py

# Benchmarks (minutes; never part of the tests). Figures go into docs/performance.md.
PG_BENCH_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/dancu_bench
bench: install
	$(BIN)/python bench/synth.py --people 1000000 10000000
	$(BIN)/python bench/importer.py --people 200000
	$(BIN)/python bench/importer.py --people 200000 --url $(PG_BENCH_URL)
	$(BIN)/python bench/search.py --people 1000000
	$(BIN)/python bench/search.py --people 1000000 --url $(PG_BENCH_URL)
	$(BIN)/python bench/run.py --people 1000
	$(BIN)/python bench/cards.py --cards 200
	command -v wrk >/dev/null || apt-get install -y wrk
	$(BIN)/python bench/api_load.py
	$(BIN)/python bench/gateway.py
	$(BIN)/python bench/linkage.py --register 1000000 --dirty 100000
	$(BIN)/python bench/linkage_blocking.py
	$(BIN)/python bench/dedupe.py --register 1000000 --twice 10000

# Regenerate the committed administrative-unit and code-list data files (needs the [data] extra).
adminunit-data: install
	$(BIN)/python -m pip install -q -e '.[data]'
	$(BIN)/python scripts/build_adminunits.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
