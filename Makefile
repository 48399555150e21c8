# The two commands of the README's Quick start. Each installs what it needs first.
.PHONY: start test

start:
	@bash scripts/start.sh

test:
	@bash scripts/test.sh
