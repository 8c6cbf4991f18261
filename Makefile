# Shorthands for the course editions (see the README, section "Editions"). All output goes to build/.
PYTHON ?= python3

.PHONY: help student slides site editions test-editions test-browser

help:
	@echo "make student       student edition (solutions removed) -> build/student/"
	@echo "make slides        static reveal.js decks, offline      -> build/slides/index.html"
	@echo "make site          static HTML site, offline            -> build/site/index.html"
	@echo "make editions      all three"
	@echo "make test-editions tests of the three editions"
	@echo "make test-browser  JupyterLab in headless Chromium (needs chromium and playwright)"

student:
	$(PYTHON) tools/student_edition.py --out build/student

slides:
	$(PYTHON) tools/slides.py --out build/slides

site:
	$(PYTHON) tools/site.py --out build/site

editions: student slides site

test-editions:
	$(PYTHON) -m pytest tests/test_student_edition.py tests/test_editions.py -p no:xdist -o addopts="" -q

test-browser:
	$(PYTHON) -m pytest tests/test_browser.py -p no:xdist -o addopts="" -q -rxXs
