# Shorthands for the course editions and grading (README: "Editions", "For teachers"). Editions go to build/.
PYTHON ?= python3
PYTEST = $(PYTHON) -m pytest -p no:xdist -o addopts="" -p no:cacheprovider -q

.PHONY: help student slides site site-instructor student-pack editions grade test-editions test-browser test-pack

SUBMISSIONS ?= submissions
GRADES ?= grades

help:
	@echo "make student          student edition (solutions removed)       -> build/student/"
	@echo "make slides           reveal.js decks for 1280x720, offline      -> build/slides/index.html"
	@echo "make site             public website (no solutions), offline     -> build/site/index.html"
	@echo "make site-instructor  website WITH the solutions (do not publish) -> build/site-instructor/"
	@echo "make student-pack     folder + zip to send to students           -> build/student-pack/"
	@echo "make editions         student, slides, site and student-pack"
	@echo "make grade            grade SUBMISSIONS=folder (one per student) -> GRADES=grades/"
	@echo "make test-editions    tests of the editions (no browser)"
	@echo "make test-browser     JupyterLab, slides and site in headless Chromium (needs chromium, playwright)"
	@echo "make test-pack        the student pack in a fresh virtual environment (slow: installs and runs all)"

student:
	$(PYTHON) tools/student_edition.py --out build/student

slides:
	$(PYTHON) tools/slides.py --out build/slides

site:
	$(PYTHON) tools/site.py --out build/site

site-instructor:
	$(PYTHON) tools/site.py --instructor --out build/site-instructor

student-pack:
	$(PYTHON) tools/student_pack.py --out build/student-pack

editions: student slides site student-pack

grade:
	$(PYTHON) tools/grade.py $(SUBMISSIONS) --out $(GRADES)

test-editions:
	$(PYTEST) tests/test_student_edition.py tests/test_editions.py

test-browser:
	$(PYTEST) tests/test_browser.py -rxXs

test-pack:
	$(PYTEST) tests/test_student_pack.py -s
