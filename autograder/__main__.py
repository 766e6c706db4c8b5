"""Command line: ``python -m autograder COMMAND``, with COMMAND one of release, grade, deadline, report,
similarity, synthetic, samples, demo, validate, clean, refresh-outputs (``--help`` for each)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograder import REPO_ROOT, settings
from autograder.layout import CourseLayout


def _working_folder_never_shadows_the_packages() -> None:
    """``python -m`` puts the working folder first on ``sys.path``: a folder there named like one of
    the packages (a course folder called ``course/``) would be imported in its place."""
    first = Path(sys.path[0] or ".") if sys.path else None
    if first is not None and any((first / name).is_dir() and not (first / name / "__init__.py").is_file()
                                 for name in ("course", "autograder")):
        sys.path.pop(0)


_working_folder_never_shadows_the_packages()


def default_course_dir(working: Path | None = None) -> Path:
    """The course a command works on without ``--course-dir``: the working folder when it is a
    course (``nbgrader_config.py`` and ``source/``, as nbgrader finds its course), else this checkout."""
    working = Path.cwd() if working is None else working
    if (working / "nbgrader_config.py").is_file() and (working / "source").is_dir():
        return working
    return REPO_ROOT


def _release(args) -> int:
    from autograder.pipeline.release import generate_release, release_differences

    if args.check:
        problems = release_differences(args.course_dir)
        for line in problems:
            print(line)
        if problems:
            print("release/ is out of sync with source/: run `make release` and commit the result.")
            return 1
        print("release/ matches source/.")
        return 0
    out = generate_release(args.course_dir)
    print(f"release generated in {out}")
    return 0


def _isolation_notice() -> None:
    from autograder.isolation.sandbox import isolation_warning

    warning = isolation_warning()
    print(warning or "Isolation is on: student code runs in a bubblewrap sandbox.", flush=True)


def _grade(args) -> int:
    from autograder.layout import submitted_students
    from autograder.pipeline.gradebook import import_students
    from autograder.pipeline.schedule import GradingSetupError, GradingStopped, grade_class
    from autograder.pipeline.tables import export_grades, flag_summary, format_table

    assignments = _chosen_assignments(args)
    if assignments is None:
        return 2
    students = args.student or None
    if args.students_csv:
        students = import_students(args.course_dir, args.students_csv)
        print(f"{len(students)} student(s) imported from {args.students_csv}")
    _isolation_notice()
    submissions = {}
    for assignment in assignments:
        chosen = students
        if students is not None:  # students without a submission keep their 0 row in the export
            submitters = set(submitted_students(args.course_dir, assignment))
            chosen = [s for s in students if s in submitters]
        submissions[assignment] = chosen
    try:
        results = grade_class(args.course_dir, submissions, feedback=not args.no_feedback, workers=args.workers,
                              force=args.force, scheduler=args.scheduler or settings.scheduler_address())
    except GradingSetupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except GradingStopped as error:
        print(f"error: {error}", file=sys.stderr)
        return 3
    except KeyboardInterrupt:
        print("\ninterrupted: finished submissions are recorded; run the same command again to grade the "
              "rest (unchanged submissions are not regraded)", file=sys.stderr)
        return 130
    grades = export_grades(args.course_dir)
    print(format_table(results))
    skipped = sum(r.skipped for r in results)
    if skipped:
        print(f"\n{skipped} unchanged submission(s) were not regraded (--force regrades them).")
    print("\n" + flag_summary(results))
    print(f"\ngrades exported to {grades}; feedback under {CourseLayout(args.course_dir).feedback_root()}")
    failed = [r for r in results if not r.graded]
    if failed:
        print(f"{len(failed)} submission(s) could not be graded (score 0, see above).")
    return 0


def _report(args) -> int:
    from autograder.review.report import write_report

    page = write_report(args.course_dir, args.out)
    print(f"report written: {page} (and grades.csv, exercises.csv and the similarity-<assignment>.html pages "
          "beside it)")
    return 0


def _deadline(args) -> int:
    from autograder.pipeline.deadlines import Deadlines, grant_extension, parse_due, set_due_date

    if not CourseLayout(args.course_dir).source(args.assignment).is_dir():
        raise ValueError(f"no assignment {args.assignment!r} under {CourseLayout(args.course_dir).source_root()}")
    if args.due is not None:
        set_due_date(args.course_dir, args.assignment, parse_due(args.due) if args.due else None)
    if args.student:
        if args.extension_hours is None:
            raise ValueError("give --extension-hours with --student (0 removes the extension)")
        grant_extension(args.course_dir, args.assignment, args.student, args.extension_hours)
    deadlines = Deadlines.of(args.course_dir, args.assignment)
    if deadlines.due is None:
        print(f"{args.assignment}: no due date: no submission is late")
        return 0
    print(f"{args.assignment}: due {deadlines.due:%Y-%m-%d %H:%M:%S} UTC")
    for student, extension in sorted(deadlines.extensions.items()):
        due = deadlines.deadline(student)
        print(f"  {student}: {extension.total_seconds() / 3600:g} h more, due {due:%Y-%m-%d %H:%M:%S} UTC")
    return 0


def _chosen_assignments(args) -> list[str] | None:
    """The assignments named on the command line (``--all``: every one), or None after saying
    that none was named."""
    from autograder.pipeline.release import list_assignments

    if args.all or "all" in args.assignment:
        return list_assignments(args.course_dir)
    if args.assignment:
        return list(dict.fromkeys(args.assignment))
    print("error: name an assignment, or use --all", file=sys.stderr)
    return None


def _similarity(args) -> int:
    from autograder.review.similarity import COMMON_STUDENTS, DEFAULT_THRESHOLD, compare_class
    from autograder.review.similarity_page import format_table, write_page

    assignments = _chosen_assignments(args)
    if assignments is None:
        return 2
    out = args.out or CourseLayout(args.course_dir).report()
    status = 0
    for assignment in assignments:
        try:
            report = compare_class(args.course_dir, assignment,
                                   DEFAULT_THRESHOLD if args.threshold is None else args.threshold,
                                   COMMON_STUDENTS if args.common is None else args.common)
        except (FileNotFoundError, ValueError, OSError) as error:  # one bad assignment never stops the others
            print(f"error: {assignment}: {error}", file=sys.stderr)
            status = 2
            continue
        if not report.students:
            submitted = CourseLayout(args.course_dir).submitted_root()
            print(f"{assignment}: no submission under {submitted}/<student>/{assignment}/")
            continue
        page = write_page(report, out)
        print(f"\n{assignment}: {len(report.students)} submission(s), {len(report.flagged)} pair(s) at or above "
              f"{report.threshold:.0%}")
        for student in report.unreadable:
            print(f"  not compared: {student.student}: {student.problem}")
        if report.too_little_code:
            print(f"  too little code to compare: {', '.join(report.too_little_code)}")
        print(format_table(report, args.top))
        print(f"side by side: {page}")
    return status


def _synthetic(args) -> int:
    from autograder.demo.synthetic import write_synthetic_class

    students = write_synthetic_class(args.course_dir, args.students, args.seed, args.assignment or None)
    submitted = CourseLayout(args.course_dir).submitted_root()
    print(f"{len(students)} synthetic students written under {submitted} (seed {args.seed})")
    return 0


def _samples(args) -> int:
    from autograder.demo.samples import write_sample_submissions

    for path in write_sample_submissions(args.course_dir, args.assignment or None):
        print(path.relative_to(args.course_dir))
    return 0


def _demo(args) -> int:
    from autograder.demo.samples import MISTAKES, SAMPLE_STUDENTS, write_sample_submissions
    from autograder.pipeline.release import generate_release, list_assignments
    from autograder.pipeline.schedule import GradingSetupError, grade_class
    from autograder.pipeline.tables import export_grades, flag_summary, format_table

    course_dir = args.course_dir
    print("1/4 generating release/ from source/ ...", flush=True)
    generate_release(course_dir)
    print("2/4 writing sample submissions (reference, blank release, one realistic mistake) ...")
    write_sample_submissions(course_dir)
    print("3/4 grading with `python -m autograder grade` ...", flush=True)
    _isolation_notice()
    try:
        results = grade_class(course_dir, {assignment: list(SAMPLE_STUDENTS)
                                           for assignment in list_assignments(course_dir)})
    except GradingSetupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    grades = export_grades(course_dir)
    print("4/4 grade table\n")
    print(format_table(results))
    for assignment, mistake in MISTAKES.items():
        print(f"\n{assignment} demo-mistaken: {mistake.grade_id} {mistake.description}")
    print("\n" + flag_summary(results))
    print(f"\ngrades: {grades}\nfeedback: {CourseLayout(course_dir).feedback_root()}/<student>/<assignment>/")
    return 0 if all(r.graded for r in results) else 1


def _validate(args) -> int:
    from nbgrader.validator import Validator

    status = 0
    for path in args.notebooks:
        result = Validator().validate(str(path))
        if result:
            status = 1
            print(f"{path}: validation FAILED")
            for kind, cells in result.items():
                print(f"  {kind}: {len(cells)} cell(s)")
        else:
            print(f"{path}: passes all visible tests")
    return status


def _clean(args) -> int:
    import nbformat

    from autograder.pipeline.notebooks import clean, hygiene_problems

    status = 0
    for path in args.notebooks:
        nb = nbformat.read(path, as_version=4)
        if args.check:
            for problem in hygiene_problems(nb):
                print(f"{path}: {problem}")
                status = 1
        else:
            nbformat.write(clean(nb), path)
    return status


def _refresh(args) -> int:
    from autograder.pipeline.notebooks import refresh_checked_outputs

    for path in args.notebooks:
        refresh_checked_outputs(path)
        print(f"refreshed checked outputs of {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    parser.add_argument("--course-dir", type=Path, default=default_course_dir(),
                        help="course root holding source/, release/ and nbgrader_config.py (default: the "
                             "working folder when it holds nbgrader_config.py and source/, as for nbgrader; "
                             "else this checkout)")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("release", help="regenerate release/ from source/")
    p.add_argument("--check", action="store_true", help="only report differences; exit 1 if any")
    p.set_defaults(run=_release)

    p = sub.add_parser("grade", help="autograde every student under submitted/ASSIGNMENT (several at once)")
    p.add_argument("assignment", nargs="*", help="assignment names (folders of source/), or 'all'")
    p.add_argument("--all", action="store_true", help="grade every assignment")
    p.add_argument("--student", action="append", help="grade only this student (repeatable)")
    p.add_argument("--students-csv", type=Path,
                   help="nbgrader's `db student import` CSV (id, first_name, last_name, email): import "
                        "these students and grade those of them who submitted")
    p.add_argument("--workers", type=int, default=None,
                   help="submissions graded at once, in parallel processes (default: the number of cores)")
    p.add_argument("--scheduler", default=None, metavar="tcp://HOST:8786",
                   help="grade on the workers of this Dask scheduler (default: $COURSE_SCHEDULER; unset: on "
                        "this machine); results are written here")
    p.add_argument("--force", action="store_true", help="regrade submissions that did not change")
    p.add_argument("--no-feedback", action="store_true", help="skip feedback generation")
    p.set_defaults(run=_grade)

    p = sub.add_parser("deadline", help="show or set an assignment's due date and students' extensions "
                                        "(the gradebook's, as nbgrader's); the late policy is in nbgrader_config.py")
    p.add_argument("assignment")
    p.add_argument("--due", default=None, metavar="'YYYY-MM-DD HH:MM:SS ZONE'",
                   help="the due date, with its time zone (e.g. '2027-01-15 17:00:00 Europe/Paris'); '' removes it")
    p.add_argument("--student", default=None, help="the student whose extension --extension-hours sets")
    p.add_argument("--extension-hours", type=float, default=None,
                   help="hours after the due date this student may still submit on time (0 removes it)")
    p.set_defaults(run=_deadline)

    p = sub.add_parser("report", help="write report/ (grades and per-check CSVs, an HTML page of figures)")
    p.add_argument("--out", type=Path, default=None, help="folder for the report (default: COURSE/report)")
    p.set_defaults(run=_report)

    p = sub.add_parser("similarity", help="compare every pair of students' answers; write "
                                          "report/similarity-ASSIGNMENT.html (pairs side by side)")
    p.add_argument("assignment", nargs="*", help="assignment names (folders of source/), or 'all'")
    p.add_argument("--all", action="store_true", help="every assignment")
    p.add_argument("--threshold", type=float, default=None,
                   help="list pairs whose similarity (share of both students' code in shared runs, 0-1) is at "
                        "least this (default: DEFAULT_THRESHOLD in autograder/review/similarity.py, chosen with "
                        "benchmarks/bench_similarity.py; the output says which was used)")
    p.add_argument("--common", type=int, default=None,
                   help="ignore code that more than this many students wrote in the same exercise (default: "
                        "COMMON_STUDENTS in autograder/review/similarity.py, 10 as in MOSS)")
    p.add_argument("--top", type=int, default=10, help="pairs printed when fewer are flagged (default 10)")
    p.add_argument("--out", type=Path, default=None, help="folder for the page (default: COURSE/report)")
    p.set_defaults(run=_similarity)

    p = sub.add_parser("synthetic", help="write a synthetic class of N students to submitted/ (for benchmarks)")
    p.add_argument("students", type=int)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--assignment", action="append", help="only this assignment (repeatable; default: all)")
    p.set_defaults(run=_synthetic)

    p = sub.add_parser("samples", help="write the sample submissions to submitted/")
    p.add_argument("assignment", nargs="*")
    p.set_defaults(run=_samples)

    p = sub.add_parser("demo", help="release, sample submissions, grading, grade table")
    p.set_defaults(run=_demo)

    p = sub.add_parser("validate", help="nbgrader's validation of notebooks (exit 1 on failure)")
    p.add_argument("notebooks", nargs="+", type=Path)
    p.set_defaults(run=_validate)

    p = sub.add_parser("clean", help="strip outputs except # NBVAL_CHECK_OUTPUT cells")
    p.add_argument("notebooks", nargs="+", type=Path)
    p.add_argument("--check", action="store_true", help="only report; exit 1 if unclean")
    p.set_defaults(run=_clean)

    p = sub.add_parser("refresh-outputs", help="re-execute and store the checked cells' outputs")
    p.add_argument("notebooks", nargs="+", type=Path)
    p.set_defaults(run=_refresh)

    args = parser.parse_args(argv)
    args.course_dir = args.course_dir.resolve()
    try:
        return args.run(args)
    except (ValueError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
