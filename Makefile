PY := .venv/bin/python

.DEFAULT_GOAL := help
.PHONY: help install run test lint format migrate demo check clean runner bench-runner bench-gateway \
	mailer-worker relay bench-mailer bench-saga bench-pages bench-identity bench-pad

help: ## List every target
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

install: ## Create .venv and install every service's requirements
	bin/setup

run: ## Set up, migrate, load demo content and start every process (embedded defaults)
	bin/run

test: install ## Run every service's test suite (PostgreSQL/RabbitMQ on 127.0.0.1 when they answer)
	bin/test

lint: install ## Lint and check formatting with ruff, and the service boundaries with import-linter
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	.venv/bin/lint-imports --no-logo

format: install ## Format and auto-fix with ruff
	$(PY) -m ruff format .
	$(PY) -m ruff check --fix .

migrate: install ## Migrate every service's database
	for s in $$(bin/services); do POLYCODE_SERVICE=$$s $(PY) manage.py migrate --noinput; done

demo: install ## Load the demo content and users (idempotent)
	$(PY) manage.py load_demo

check: install ## Django system checks and missing-migration check for every service
	for s in $$(bin/services); do POLYCODE_SERVICE=$$s $(PY) manage.py check && \
		POLYCODE_SERVICE=$$s $(PY) manage.py makemigrations --check --dry-run; done

runner: install ## Start the runner service alone (sandboxed code execution) on 127.0.0.1:8003
	.venv/bin/gunicorn extracted.runner.wsgi --bind 127.0.0.1:$$($(PY) -m common.ports runner) --worker-class gthread --workers 1 --threads 16

bench-runner: install ## Benchmark the runner: sandboxed vs bare runs, runs/s, judge (bench/results/runner.json)
	$(PY) bench/runner/bench_runner.py

bench-gateway: install ## Benchmark the gateway: direct vs gateway vs nginx, added latency, CPU/request (bench/results/gateway.json)
	$(PY) bench/gateway/bench_gateway.py

bench-identity: install ## Benchmark identity assertions: PyJWT sign+verify per request vs the former hand path (bench/results/identity.json)
	$(PY) bench/identity/bench_assertion.py

mailer-worker: install ## Start one mailer worker (queue "mailer"); start more to send faster
	POLYCODE_SERVICE=mailer .venv/bin/celery -A extracted.mailer.worker worker -Q mailer --pool=threads --concurrency=4 -l INFO

relay: install ## Start the monolith's outbox relay (publishes committed messages to the broker)
	$(PY) manage.py outbox_relay

bench-mailer: install ## Benchmark mail: outbox -> RabbitMQ -> 1 and 2 workers -> SMTP vs legacy (bench/results/mailer.json)
	$(PY) bench/mailer/bench_mailer.py

bench-pages: install ## Benchmark page server time through the gateway vs the monolith direct (bench/results/pages.json)
	$(PY) bench/pages/bench_pages.py

bench-pad: install ## Benchmark the live pad's keystroke-to-peer latency through the gateway vs direct (bench/results/pad.json)
	$(PY) bench/pad/bench_pad.py

bench-saga: install ## Benchmark the purchase saga (RabbitMQ + PostgreSQL) vs the legacy transaction (bench/results/saga.json)
	$(PY) bench/saga/bench_saga.py

clean: ## Remove local databases, broker files and caches (keeps .venv)
	rm -rf var .pytest_cache .ruff_cache

# Front-end bundle (frontend/ -> monolith/web/static/web/dist/, committed so `make run` needs no Node).
DIST := monolith/web/static/web/dist
.PHONY: assets assets-check

assets: ## Install the pinned front-end packages (npm ci) and build the JS bundle into monolith/web/static/web/dist/
	cd frontend && npm ci --no-audit --no-fund && npm run build

assets-check: assets ## Rebuild the JS bundle and fail if it differs from the committed one
	@if ! git diff --quiet -- $(DIST) || [ -n "$$(git ls-files --others --exclude-standard -- $(DIST))" ]; then \
		git status --short -- $(DIST); \
		echo "The committed bundle in $(DIST) does not match frontend/: run 'make assets' and commit $(DIST)." >&2; \
		exit 1; \
	fi
	@echo "The committed bundle in $(DIST) matches frontend/."
