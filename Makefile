# Kesher — make run starts the demo desk, make test runs every test.
SHELL := /bin/bash
GO ?= go
BIN := bin/kesher
DATA ?= ./data
ADDR ?= 127.0.0.1:8080
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/kesherdesk/kesher/internal/cli.Version=$(VERSION)

.PHONY: run build test test-go vet bench clean

## run: build Kesher and start it with the demo desk on SQLite (prints the URL and the login)
run: build
	@mkdir -p $(DATA)
	@test -s $(DATA)/.demo-token || (printf 'ksr_demo_%s\n' "$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" > $(DATA)/.demo-token && chmod 600 $(DATA)/.demo-token)
	KESHER_BOOTSTRAP_API_TOKEN="$$(cat $(DATA)/.demo-token)" ./$(BIN) --data $(DATA) serve --demo --addr $(ADDR)

## build: compile bin/kesher
build:
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/kesher

## test: vet and every test (PostgreSQL too when KESHER_TEST_POSTGRES_URL is set)
test: vet test-go

vet:
	$(GO) vet ./...

test-go:
	@if [ -n "$$KESHER_TEST_POSTGRES_URL" ]; then echo "storage tests: SQLite and PostgreSQL"; else echo "storage tests: SQLite only (set KESHER_TEST_POSTGRES_URL for PostgreSQL)"; fi
	$(GO) test -count=1 -timeout 20m ./...

## bench: go benchmarks for create and list on every configured backend
bench:
	$(GO) test -run '^$$' -bench . -benchtime 3s ./internal/conversation/

clean:
	rm -rf bin
