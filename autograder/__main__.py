"""Command line: ``python -m autograder {release,grade,samples,demo,validate,clean,refresh-outputs}``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from autograder import REPO_ROOT


def _release(args) -> int:
    from autograder.release import generate_release, release_differences

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
    from autograder.sandbox import isolation_warning

    warning = isolation_warning()
    print(warning or "Isolation is on: student code runs in a bubblewrap sandbox.", flush=True)


def _grade(args) -> int:
    from autograder.grading import GradingSetupError, export_grades, flag_summary, format_table, grade_assignment
    from autograder.release import list_assignments

    _isolation_notice()
    assignments = list_assignments(args.course_dir) if args.assignment == "all" else [args.assignment]
    results = []
    try:
        for assignment in assignments:
            results += grade_assignment(args.course_dir, assignment, students=args.student or None,
                                        feedback=not args.no_feedback)
    except GradingSetupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    grades = export_grades(args.course_dir)
    print(format_table(results))
    print("\n" + flag_summary(results))
    print(f"\ngrades exported to {grades}; feedback under {Path(args.course_dir) / 'feedback'}")
    failed = [r for r in results if not r.graded]
    if failed:
        print(f"{len(failed)} submission(s) could not be graded (score 0, see above).")
    return 0


def _samples(args) -> int:
    from autograder.samples import write_sample_submissions

    for path in write_sample_submissions(args.course_dir, args.assignment or None):
        print(path.relative_to(args.course_dir))
    return 0


def _demo(args) -> int:
    from autograder.grading import GradingSetupError, export_grades, flag_summary, format_table, grade_assignment
    from autograder.release import generate_release, list_assignments
    from autograder.samples import MISTAKES, SAMPLE_STUDENTS, write_sample_submissions

    course_dir = args.course_dir
    print("1/4 generating release/ from source/ ...", flush=True)
    generate_release(course_dir)
    print("2/4 writing sample submissions (reference, blank release, one realistic mistake) ...")
    write_sample_submissions(course_dir)
    print("3/4 grading with `python -m autograder grade` ...", flush=True)
    _isolation_notice()
    results = []
    try:
        for assignment in list_assignments(course_dir):
            results += grade_assignment(course_dir, assignment, students=list(SAMPLE_STUDENTS))
    except GradingSetupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    grades = export_grades(course_dir)
    print("4/4 grade table\n")
    print(format_table(results))
    for assignment, mistake in MISTAKES.items():
        print(f"\n{assignment} demo-mistaken: {mistake.grade_id} {mistake.description}")
    print("\n" + flag_summary(results))
    print(f"\ngrades: {grades}\nfeedback: {Path(course_dir) / 'feedback'}/<student>/<assignment>/")
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

    from autograder.notebooks import clean, hygiene_problems

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
    from autograder.notebooks import refresh_checked_outputs

    for path in args.notebooks:
        refresh_checked_outputs(path)
        print(f"refreshed checked outputs of {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder", description=__doc__)
    parser.add_argument("--course-dir", type=Path, default=REPO_ROOT,
                        help="course root holding source/, release/ and nbgrader_config.py")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("release", help="regenerate release/ from source/")
    p.add_argument("--check", action="store_true", help="only report differences; exit 1 if any")
    p.set_defaults(run=_release)

    p = sub.add_parser("grade", help="autograde every student under submitted/ASSIGNMENT")
    p.add_argument("assignment", help="assignment name (a folder of source/), or 'all'")
    p.add_argument("--student", action="append", help="grade only this student (repeatable)")
    p.add_argument("--no-feedback", action="store_true", help="skip feedback generation")
    p.set_defaults(run=_grade)

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
