"""Built-in compliance rule packs of threshold (installed as ``threshold_rules``).

Each module is a pluggy plugin that registers one pack through
``threshold_register_rule_packs`` and declares its settings class through
``threshold_settings_types`` (section ``[settings.<pack>]``):

* :mod:`threshold_rules.filings` (``filings``, FIL-001..015): CAC filings and
  registrations, content labeling, sector approvals, enforcement, ethics review,
  EU GPAI duties.
* :mod:`threshold_rules.chip_supply` (``chip_supply``, CHIP-001..010): export-control
  exposure and the resilience of the compute base.
* :mod:`threshold_rules.ethics` (``ethics``, ETH-001..011): refusal calibration,
  hallucination, disclosure, bias, minors, IP litigation, EU prohibitions.
* :mod:`threshold_rules.valuation` (``valuation``, VAL-001..003): the valuation's basis,
  a listed company valued on an estimate, a stale valuation.
* :mod:`threshold_rules.freshness` (``freshness``, FRS-001..010): the age of every other
  dated section (customers, technology, evaluations, compute, the export-control and CAC
  registry screenings, labeling, personal information, compliance, STAR evidence).

Each module's docstring lists its rules; ``examples/threshold.toml`` lists
every setting with its default. A rule that passes returns its evidence ``dict`` alone
(the kit's fast path for ``passed(evidence)``, docs/hooks.md).
"""
