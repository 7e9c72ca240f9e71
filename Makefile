# The same commands CI and the README use; each sets up .venv on first use.
PY ?= python3

.PHONY: run test lint bench messages
run:
	$(PY) tools/dev.py run
test:
	$(PY) tools/dev.py test
lint:
	$(PY) tools/dev.py lint
bench:
	$(PY) tools/dev.py bench
messages:
	.venv/bin/libcoop makemessages -l th --no-location --ignore "textsearch/*"
	.venv/bin/python tools/messages.py
