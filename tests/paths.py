"""Where the repository and the tests' shared support files are, for tests in any folder of tests/."""

from pathlib import Path

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
STUDENT_VARIANTS = TESTS / "student_variants"  # also autograder.demo.synthetic.VARIANTS_DIR
REFERENCE_SCAN = TESTS / "reference_scan.py"
SANDBOX_IMPORT_PROBE = TESTS / "sandbox_import_probe.py"
BROWSER_SCREENSHOTS = TESTS / "browser-screenshots"
