"""Made-up submissions: the demo samples, a synthetic class and its disguised copies."""
