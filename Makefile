# The two commands of the README: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
MO := nrs/translations/en/LC_MESSAGES/messages.mo

.PHONY: run test install lint lock translations system

run: $(STAMP) $(MO) system
	$(BIN)/nrs init
	$(BIN)/nrs demo --if-empty
	@echo "Log ind på http://127.0.0.1:5000 som: $$(cat instance/demo-login.txt)  (e-mail og adgangskode)"
	$(BIN)/nrs serve --host 127.0.0.1 --port 5000

# Three workers on two cores: a third of the suite waits on servers it started (PostgreSQL, SMTP,
# IMAP, Chromium, gunicorn), and the third worker fills those waits (585 s -> 520 s here).
test: $(STAMP) $(MO) system
	$(BIN)/ruff check nrs tests bench migrations
	$(BIN)/pytest -n 3 --dist worksteal

install: $(STAMP)

# Debian libraries the app loads: Pango and HarfBuzz's subsetter for WeasyPrint's PDF (the committee report).
system:
	@{ ldconfig -p | grep -q libpangoft2-1.0 && ldconfig -p | grep -q libharfbuzz-subset; } || { \
	  echo "installing Pango and HarfBuzz for PDF reports"; apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 >/dev/null; }

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade "pip>=24"
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $@

lint: $(STAMP)
	$(BIN)/ruff check nrs tests bench migrations
	$(BIN)/ruff format --check nrs tests bench

# Re-pin after changing pyproject.toml dependencies.
lock:
	$(PYTHON) -m venv /tmp/nrs-lock && /tmp/nrs-lock/bin/pip install --quiet pip-tools
	/tmp/nrs-lock/bin/pip-compile --quiet --extra dev --strip-extras --generate-hashes --allow-unsafe -o requirements.lock pyproject.toml

$(MO): nrs/translations/en/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile -d nrs/translations

# --ignore-dirs: Babel skips "_" directories by default, which left out templates/_macros.
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l --ignore-dirs ".*" -o nrs/translations/messages.pot .
	$(BIN)/pybabel update -i nrs/translations/messages.pot -d nrs/translations -l en
	$(BIN)/pybabel compile -d nrs/translations
