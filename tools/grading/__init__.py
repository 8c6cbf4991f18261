"""The parts of ``tools/grade.py``: find the submissions, build what runs, run it, judge and report.

* :mod:`.submissions`: the students of a SUBMISSIONS folder and their notebooks (plain or nbgrader layout);
* :mod:`.assemble`: the notebook that runs for one student, built from the instructor edition with the
  student's solution cells and the collector cells in place of the checks;
* :mod:`.worker`: runs one such notebook in its own kernel under resource limits (a subprocess);
* :mod:`.judging`: reads what the collectors wrote and judges it with the grader's own bplib;
* :mod:`.report`: ``grades.csv`` and one feedback page per student.
"""
