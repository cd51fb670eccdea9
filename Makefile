# The two commands of the README.
.PHONY: run test corpus chaos quality bench
run:
	./config/run.sh
test:
	./config/test.sh
# Every HTML page Debian ships under /usr/share/doc, through a real worker (minutes).
corpus:
	config/install.sh
	.venv/bin/python -m pytest -m slow tests/e2e/test_corpus.py -s
# Previews scored against a ground truth made without the service (Chromium screenshots,
# pdftoppm): 60 random real pages with each engine, real PDFs and SVGs (minutes).
quality:
	config/install.sh
	.venv/bin/python -m pytest -m quality tests/quality -s
# Faults injected into a stack of real parts while files arrive (a database storm, object storage cut, a full
# disk, the broker and a worker killed); prints a table of what became of the files (minutes).
chaos:
	config/install.sh
	.venv/bin/python -m pytest -m chaos tests/chaos -s
# Speed figures, never asserted: renders per second with 1, 2 and 4 worker processes, and the time
# per document of each file type, the HTTP layer against a hello-world app, the stack against the raw
# render loop, the two HTML engines, where one ingest goes in the code, and GET /files at 100 and 100,000
# files on both databases (minutes).
bench:
	config/install.sh
	.venv/bin/python bench/worker_scaling.py
	.venv/bin/python bench/per_type.py
	.venv/bin/python bench/office_session.py
	.venv/bin/python bench/stack_ratio.py
	.venv/bin/python bench/http_ratios.py
	.venv/bin/python bench/engines.py
	.venv/bin/python bench/trace_ingest.py
	.venv/bin/python bench/files_query.py
