# pint configuration for scripts/lint-external.ts (offline lint of the rule files of every shipped spec:
# dist/ and each examples/*.yaml as synthesized, and the Loki ruler's rules).
# Every waiver names the check and why it does not apply. None today: pint v0.87.0 finds nothing.
