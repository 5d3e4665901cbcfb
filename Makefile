PY := .venv/bin/python

.DEFAULT_GOAL := help
.PHONY: help install run test lint format migrate demo check clean

help: ## List every target
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

install: ## Create .venv and install every service's requirements
	bin/setup

run: ## Set up, migrate, load demo content and start every process (embedded defaults)
	bin/run

test: install ## Run every service's test suite (PostgreSQL/RabbitMQ on 127.0.0.1 when they answer)
	bin/test

lint: install ## Lint and check formatting with ruff
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

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

clean: ## Remove local databases, broker files and caches (keeps .venv)
	rm -rf var .pytest_cache .ruff_cache
