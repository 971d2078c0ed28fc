# Two commands do everything on a fresh machine with Python 3.11 and make:
#   make run    virtualenv, install, migrate, curated data, bundled rates, server on 127.0.0.1:8000
#   make test   the whole test suite
# Both use the embedded default (SQLite, tasks in process) unless DATABASE_URL / REDIS_URL are set.

PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format check audit migrate data sample-data rates admin-password e2e clean backup restore screenshots

$(STAMP): requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is required (found %d.%d); set PYTHON=/path/to/python3.11" % sys.version_info[:2])'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $(STAMP)

migrate: $(STAMP)
	$(BIN)/python manage.py migrate --noinput

# The curated dataset (capex/data/*.yaml): the figures `make run` shows.
data: migrate
	$(BIN)/python manage.py load_curated_data

# The six original sample figures, the canonical test case (the tests load them themselves).
sample-data: migrate
	$(BIN)/python manage.py load_sample_data

rates: migrate
	$(BIN)/python manage.py rates_load_bundled

run: data rates
	$(BIN)/python manage.py create_local_admin
	$(BIN)/python manage.py runserver 127.0.0.1:8000

admin-password: migrate
	$(BIN)/python manage.py create_local_admin --reset

# One process per CPU (pytest-xdist; TEST_WORKERS=0 runs in this one), each with its own test
# database and, with REDIS_URL set, its own Redis database (config/settings_test.py). pytest's
# last line gives the count and the total time; the ten slowest tests are listed above it.
TEST_WORKERS ?= auto
test: $(STAMP)
	$(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal --durations=10

# The README's screenshots (docs/screenshots/dashboard-phone.png and dashboard-desktop.png), taken by
# the browser test that checks every page on a phone and a desktop screen.
screenshots: $(STAMP)
	SCREENSHOTS_TO_DOCS=1 $(BIN)/pytest capex/tests/browser/test_responsive_pages.py -k fits_the_screen -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: lint
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python manage.py check

# pip-audit against the pinned requirements; prints "audit skipped: advisory service unreachable"
# (and succeeds) when the advisory service cannot be reached, fails on a known vulnerability.
audit: $(STAMP)
	$(BIN)/python scripts/audit.py

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles test-artifacts .pytest_cache .ruff_cache

# PostgreSQL backups with pg_dump / pg_restore, of the database DATABASE_URL (or DATABASE_URL_FILE) names.
#   make backup                         writes backups/capex-<UTC time>.dump (custom format, compressed)
#   make backup BACKUP=path.dump        writes there
#   make restore BACKUP=path.dump       replaces the database's contents with the backup's, in one transaction
BACKUP_DIR ?= backups
DB_URL = $${DATABASE_URL:-$$(cat "$${DATABASE_URL_FILE:-/dev/null}")}

backup:
	@url="$(DB_URL)"; case "$$url" in postgres://*|postgresql://*) ;; *) echo "make backup needs DATABASE_URL (or DATABASE_URL_FILE) naming a PostgreSQL database" >&2; exit 1;; esac; \
	file="$(or $(BACKUP),$(BACKUP_DIR)/capex-$$(date -u +%Y%m%dT%H%M%SZ).dump)"; \
	mkdir -p "$$(dirname "$$file")" && \
	pg_dump --format=custom --no-owner --no-acl --dbname="$$url" --file="$$file.partial" && \
	mv "$$file.partial" "$$file" && echo "Backup written to $$file"

restore:
	@test -n "$(BACKUP)" || { echo "Name the backup: make restore BACKUP=backups/capex-....dump" >&2; exit 1; }
	@test -r "$(BACKUP)" || { echo "Cannot read $(BACKUP)" >&2; exit 1; }
	@url="$(DB_URL)"; case "$$url" in postgres://*|postgresql://*) ;; *) echo "make restore needs DATABASE_URL (or DATABASE_URL_FILE) naming a PostgreSQL database" >&2; exit 1;; esac; \
	pg_restore --clean --if-exists --no-owner --no-acl --single-transaction --exit-on-error --dbname="$$url" "$(BACKUP)" && \
	echo "Restored $(BACKUP)"
