# Kesher — make run starts the demo desk, make test runs every test.
SHELL := /bin/bash
GO ?= go
BIN := bin/kesher
DATA ?= ./data
ADDR ?= 127.0.0.1:8080
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/kesherdesk/kesher/internal/cli.Version=$(VERSION)
WEB_SOURCES := $(shell find web/src web/public web/index.html web/vite.config.ts web/tsconfig*.json -type f 2>/dev/null)

.PHONY: run build web test vet test-go test-web test-e2e bench clean

## run: build the web app and Kesher, then start it with the demo desk on SQLite (prints the URL and the login)
run: build
	@mkdir -p $(DATA)
	@test -s $(DATA)/.demo-token || (printf 'ksr_demo_%s\n' "$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" > $(DATA)/.demo-token && chmod 600 $(DATA)/.demo-token)
	KESHER_BOOTSTRAP_API_TOKEN="$$(cat $(DATA)/.demo-token)" ./$(BIN) --data $(DATA) serve --demo --addr $(ADDR)

## build: compile bin/kesher with the web app embedded
build: web
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/kesher

## web: build the agent web app into web/dist (skipped, with a note, when npm is missing)
web: web/dist/index.html

web/node_modules/.stamp: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	@touch $@

web/dist/index.html: web/node_modules/.stamp $(WEB_SOURCES)
	cd web && npm run build

## test: vet, Go tests (PostgreSQL too when KESHER_TEST_POSTGRES_URL is set), web unit tests, browser end-to-end tests
test: vet test-go test-web test-e2e

vet:
	$(GO) vet ./...

# The Israeli holiday test checks against @hebcal/core (an npm package).
HEBCAL := internal/sla/calendar/hebcal
$(HEBCAL)/node_modules/.stamp: $(HEBCAL)/package.json $(HEBCAL)/package-lock.json
	cd $(HEBCAL) && npm ci --no-audit --no-fund
	@touch $@

# Verbose run, summarized: every package's result plus each storage/API
# subtest per backend (…/sqlite, …/postgres); the whole log on failure.
test-go: $(HEBCAL)/node_modules/.stamp web
	@if [ -n "$$KESHER_TEST_POSTGRES_URL" ]; then echo "storage tests: SQLite and PostgreSQL"; else echo "storage tests: SQLite only (set KESHER_TEST_POSTGRES_URL for PostgreSQL)"; fi
	@mkdir -p artifacts
	@$(GO) test -count=1 -timeout 20m -v ./... > artifacts/go-test.log 2>&1; status=$$?; \
	  grep -E '^(ok|FAIL|---|panic:)|^    --- (PASS|FAIL|SKIP): [^ ]+/(sqlite|postgres) ' artifacts/go-test.log; \
	  if [ $$status -ne 0 ]; then echo "--- go test failed; full log follows"; cat artifacts/go-test.log; fi; \
	  exit $$status
	$(GO) test -run '^$$' -fuzz FuzzParse -fuzztime 10s ./internal/channel/email/parse

test-web: web/node_modules/.stamp
	cd web && npm test

## test-e2e: Playwright (playwright-core) driving headless Chromium against a real Kesher
test-e2e: build
	cd web && KESHER_BIN=$(CURDIR)/$(BIN) KESHER_E2E_ARTIFACTS=$${KESHER_E2E_ARTIFACTS:-$(CURDIR)/artifacts} npm run e2e

## bench: go benchmarks for create and list on every configured backend
bench:
	$(GO) test -run '^$$' -bench . -benchtime 3s ./internal/conversation/

clean:
	rm -rf bin web/dist/assets web/dist/index.html web/node_modules
