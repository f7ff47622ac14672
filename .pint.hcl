# pint configuration for scripts/lint-external.ts (offline lint of the shipped rule files).
# Every waiver names the check and why it does not apply. None today.
