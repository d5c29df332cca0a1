"""Golden quotes: incomes at the minimum, at and one centavo past each cesantía bracket boundary (2.50, 3.00 = the
EyM excedente threshold, 3.50, 4.00 UMA), 10,000 MXN, the 25-UMA cap and above, both zones, January and February of
2025 and 2026 (January: new minimum wage and cesantía row, previous UMA). The cesantía "1.00 SM" row is the general
minimum wage's (see cesantia-vejez.json), so a border-zone member at the ZLFN minimum is priced by UMA bracket.

The expected SBC and totals were produced by an independent re-implementation (fractions, inline constants, not this
project's code) and spot-checked by hand; test_february_2025_general_minimum_by_hand shows one case line by line.
"""

from datetime import date
from decimal import Decimal

import pytest

from chalicelib.domain.exchange_rates import caller_rate
from chalicelib.domain.quotes import quote

GOLDEN = [
    # (month, zone, case, monthly income, expected daily SBC, expected month total)
    ('2025-01', 'general', 'minimum', '1.00', '278.80', '1738.56'),
    ('2025-01', 'general', '2.50 UMA', '8251.17', '278.80', '1738.56'),
    ('2025-01', 'general', '2.50 UMA + 1c', '8251.48', '278.80', '1738.56'),
    ('2025-01', 'general', '3.00 UMA', '9901.59', '325.71', '2131.37'),
    ('2025-01', 'general', '3.00 UMA + 1c', '9901.89', '325.72', '2156.37'),
    ('2025-01', 'general', '3.50 UMA', '11551.70', '379.99', '2428.22'),
    ('2025-01', 'general', '3.50 UMA + 1c', '11552.00', '380.00', '2449.98'),
    ('2025-01', 'general', '4.00 UMA', '13202.12', '434.28', '2724.99'),
    ('2025-01', 'general', '4.00 UMA + 1c', '13202.42', '434.29', '2814.17'),
    ('2025-01', 'general', '10,000', '10000.00', '328.95', '2172.54'),
    ('2025-01', 'general', 'cap', '82513.20', '2714.25', '14833.02'),
    ('2025-01', 'general', 'above cap', '500000.00', '2714.25', '14833.02'),
    ('2025-01', 'zlfn', 'minimum', '1.00', '419.88', '2652.05'),
    ('2025-01', 'zlfn', '2.50 UMA', '8251.17', '419.88', '2652.05'),
    ('2025-01', 'zlfn', '2.50 UMA + 1c', '8251.48', '419.88', '2652.05'),
    ('2025-01', 'zlfn', '3.00 UMA', '9901.59', '419.88', '2652.05'),
    ('2025-01', 'zlfn', '3.00 UMA + 1c', '9901.89', '419.88', '2652.05'),
    ('2025-01', 'zlfn', '3.50 UMA', '11551.70', '419.88', '2652.05'),
    ('2025-01', 'zlfn', '3.50 UMA + 1c', '11552.00', '419.88', '2652.05'),
    ('2025-01', 'zlfn', '4.00 UMA', '13202.12', '434.28', '2724.99'),
    ('2025-01', 'zlfn', '4.00 UMA + 1c', '13202.42', '434.29', '2814.17'),
    ('2025-01', 'zlfn', '10,000', '10000.00', '419.88', '2652.05'),
    ('2025-01', 'zlfn', 'cap', '82513.20', '2714.25', '14833.02'),
    ('2025-01', 'zlfn', 'above cap', '500000.00', '2714.25', '14833.02'),
    ('2025-02', 'general', 'minimum', '1.00', '278.80', '1766.90'),
    ('2025-02', 'general', '2.50 UMA', '8598.64', '282.85', '1937.50'),
    ('2025-02', 'general', '2.50 UMA + 1c', '8598.95', '282.86', '1967.90'),
    ('2025-02', 'general', '3.00 UMA', '10318.37', '339.42', '2221.09'),
    ('2025-02', 'general', '3.00 UMA + 1c', '10318.68', '339.43', '2247.15'),
    ('2025-02', 'general', '3.50 UMA', '12038.10', '395.99', '2530.47'),
    ('2025-02', 'general', '3.50 UMA + 1c', '12038.40', '396.00', '2553.13'),
    ('2025-02', 'general', '4.00 UMA', '13757.83', '452.56', '2839.69'),
    ('2025-02', 'general', '4.00 UMA + 1c', '13758.13', '452.57', '2932.62'),
    ('2025-02', 'general', '10,000', '10000.00', '328.95', '2174.21'),
    ('2025-02', 'general', 'cap', '85986.40', '2828.50', '15457.40'),
    ('2025-02', 'general', 'above cap', '500000.00', '2828.50', '15457.40'),
    ('2025-02', 'zlfn', 'minimum', '1.00', '419.88', '2674.14'),
    ('2025-02', 'zlfn', '2.50 UMA', '8598.64', '419.88', '2674.14'),
    ('2025-02', 'zlfn', '2.50 UMA + 1c', '8598.95', '419.88', '2674.14'),
    ('2025-02', 'zlfn', '3.00 UMA', '10318.37', '419.88', '2674.14'),
    ('2025-02', 'zlfn', '3.00 UMA + 1c', '10318.68', '419.88', '2674.14'),
    ('2025-02', 'zlfn', '3.50 UMA', '12038.10', '419.88', '2674.14'),
    ('2025-02', 'zlfn', '3.50 UMA + 1c', '12038.40', '419.88', '2674.14'),
    ('2025-02', 'zlfn', '4.00 UMA', '13757.83', '452.56', '2839.69'),
    ('2025-02', 'zlfn', '4.00 UMA + 1c', '13758.13', '452.57', '2932.62'),
    ('2025-02', 'zlfn', '10,000', '10000.00', '419.88', '2674.14'),
    ('2025-02', 'zlfn', 'cap', '85986.40', '2828.50', '15457.40'),
    ('2025-02', 'zlfn', 'above cap', '500000.00', '2828.50', '15457.40'),
    ('2026-01', 'general', 'minimum', '1.00', '315.04', '1905.35'),
    ('2026-01', 'general', '2.50 UMA', '8598.64', '315.04', '1905.35'),
    ('2026-01', 'general', '2.50 UMA + 1c', '8598.95', '315.04', '1905.35'),
    ('2026-01', 'general', '3.00 UMA', '10318.37', '339.42', '2295.27'),
    ('2026-01', 'general', '3.00 UMA + 1c', '10318.68', '339.43', '2329.91'),
    ('2026-01', 'general', '3.50 UMA', '12038.10', '395.99', '2627.01'),
    ('2026-01', 'general', '3.50 UMA + 1c', '12038.40', '396.00', '2657.38'),
    ('2026-01', 'general', '4.00 UMA', '13757.83', '452.56', '2958.83'),
    ('2026-01', 'general', '4.00 UMA + 1c', '13758.13', '452.57', '3082.72'),
    ('2026-01', 'general', '10,000', '10000.00', '328.95', '2246.11'),
    ('2026-01', 'general', 'cap', '85986.40', '2828.50', '16395.51'),
    ('2026-01', 'general', 'above cap', '500000.00', '2828.50', '16395.51'),
    ('2026-01', 'zlfn', 'minimum', '1.00', '440.87', '2896.54'),
    ('2026-01', 'zlfn', '2.50 UMA', '8598.64', '440.87', '2896.54'),
    ('2026-01', 'zlfn', '2.50 UMA + 1c', '8598.95', '440.87', '2896.54'),
    ('2026-01', 'zlfn', '3.00 UMA', '10318.37', '440.87', '2896.54'),
    ('2026-01', 'zlfn', '3.00 UMA + 1c', '10318.68', '440.87', '2896.54'),
    ('2026-01', 'zlfn', '3.50 UMA', '12038.10', '440.87', '2896.54'),
    ('2026-01', 'zlfn', '3.50 UMA + 1c', '12038.40', '440.87', '2896.54'),
    ('2026-01', 'zlfn', '4.00 UMA', '13757.83', '452.56', '2958.83'),
    ('2026-01', 'zlfn', '4.00 UMA + 1c', '13758.13', '452.57', '3082.72'),
    ('2026-01', 'zlfn', '10,000', '10000.00', '440.87', '2896.54'),
    ('2026-01', 'zlfn', 'cap', '85986.40', '2828.50', '16395.51'),
    ('2026-01', 'zlfn', 'above cap', '500000.00', '2828.50', '16395.51'),
    ('2026-02', 'general', 'minimum', '1.00', '315.04', '1931.21'),
    ('2026-02', 'general', '2.50 UMA', '8915.41', '315.04', '1931.21'),
    ('2026-02', 'general', '2.50 UMA + 1c', '8915.72', '315.04', '1931.21'),
    ('2026-02', 'general', '3.00 UMA', '10698.68', '351.93', '2379.88'),
    ('2026-02', 'general', '3.00 UMA + 1c', '10698.98', '351.94', '2415.75'),
    ('2026-02', 'general', '3.50 UMA', '12481.64', '410.58', '2723.80'),
    ('2026-02', 'general', '3.50 UMA + 1c', '12481.94', '410.59', '2755.30'),
    ('2026-02', 'general', '4.00 UMA', '14264.90', '469.24', '3067.89'),
    ('2026-02', 'general', '4.00 UMA + 1c', '14265.20', '469.25', '3196.31'),
    ('2026-02', 'general', '10,000', '10000.00', '328.95', '2271.97'),
    ('2026-02', 'general', 'cap', '89155.60', '2932.75', '16999.79'),
    ('2026-02', 'general', 'above cap', '500000.00', '2932.75', '16999.79'),
    ('2026-02', 'zlfn', 'minimum', '1.00', '440.87', '2916.70'),
    ('2026-02', 'zlfn', '2.50 UMA', '8915.41', '440.87', '2916.70'),
    ('2026-02', 'zlfn', '2.50 UMA + 1c', '8915.72', '440.87', '2916.70'),
    ('2026-02', 'zlfn', '3.00 UMA', '10698.68', '440.87', '2916.70'),
    ('2026-02', 'zlfn', '3.00 UMA + 1c', '10698.98', '440.87', '2916.70'),
    ('2026-02', 'zlfn', '3.50 UMA', '12481.64', '440.87', '2916.70'),
    ('2026-02', 'zlfn', '3.50 UMA + 1c', '12481.94', '440.87', '2916.70'),
    ('2026-02', 'zlfn', '4.00 UMA', '14264.90', '469.24', '3067.89'),
    ('2026-02', 'zlfn', '4.00 UMA + 1c', '14265.20', '469.25', '3196.31'),
    ('2026-02', 'zlfn', '10,000', '10000.00', '440.87', '2916.70'),
    ('2026-02', 'zlfn', 'cap', '89155.60', '2932.75', '16999.79'),
    ('2026-02', 'zlfn', 'above cap', '500000.00', '2932.75', '16999.79'),
]


@pytest.mark.parametrize(("month", "zone", "case", "income", "sbc", "total"), GOLDEN,
                         ids=[f"{m}-{z}-{c}" for m, z, c, *_ in GOLDEN])
def test_golden_month(month, zone, case, income, sbc, total):
    priced = quote(Decimal(income), zone, date(int(month[:4]), int(month[5:]), 1), 1)
    assert priced.months[0].sbc_daily_mxn == Decimal(sbc)
    assert priced.total_mxn == Decimal(total)
    assert not priced.estimated


def test_february_2025_general_minimum_by_hand():
    """SBC = 278.80 (minimum wage), UMA 113.14, 30.4 days; each line rounded half-up."""
    month = quote(Decimal("5000"), "general", date(2025, 2, 1), 1).months[0]
    by_line = {(line.concept, line.share): str(line.amount_mxn) for line in month.lines}
    assert by_line == {
        ("eym_cuota_fija", "patronal"): "701.65",                 # 20.40% × 113.14 × 30.4 = 701.649
        ("eym_excedente", "patronal"): "0.00",                    # SBC below 3 UMA (339.42)
        ("eym_excedente", "obrera"): "0.00",
        ("eym_prestaciones_dinero", "patronal"): "59.33",         # 0.70% × 278.80 × 30.4 = 59.329
        ("eym_prestaciones_dinero", "obrera"): "21.19",           # 0.25% × 8,475.52 = 21.189
        ("eym_gastos_medicos_pensionados", "patronal"): "88.99",  # 1.05% × 8,475.52 = 88.993
        ("eym_gastos_medicos_pensionados", "obrera"): "31.78",    # 0.375% × 8,475.52 = 31.783
        ("riesgos_trabajo", "patronal"): "46.07",                 # 0.54355% × 8,475.52 = 46.069
        ("invalidez_vida", "patronal"): "148.32",                 # 1.75% × 8,475.52 = 148.322
        ("invalidez_vida", "obrera"): "52.97",                    # 0.625% × 8,475.52 = 52.972
        ("retiro", "patronal"): "169.51",                         # 2% × 8,475.52 = 169.510
        ("cesantia_vejez", "patronal"): "266.98",                 # 3.150% (SBC = minimum wage row) = 266.979
        ("cesantia_vejez", "obrera"): "95.35",                    # 1.125% × 8,475.52 = 95.350
        ("guarderias_prestaciones_sociales", "patronal"): "84.76",  # 1% × 8,475.52 = 84.755
    }
    assert month.total_mxn == Decimal("1766.90")  # "88 dólares, alrededor de mil 700 pesos" (La Jornada, Jun 2025)


def test_infonavit_only_when_asked():
    without = quote(Decimal("10000"), "general", date(2026, 3, 1), 1)
    with_it = quote(Decimal("10000"), "general", date(2026, 3, 1), 1, include_infonavit=True)
    (infonavit,) = [line for line in with_it.months[0].lines if line.concept == "infonavit"]
    assert infonavit.share == "patronal" and infonavit.rate_percent == Decimal("5.00")
    assert infonavit.amount_mxn == Decimal("500.00")  # 5% × 328.95 × 30.4 = 500.004
    assert with_it.total_mxn - without.total_mxn == infonavit.amount_mxn
    assert not any(line.concept == "infonavit" for line in without.months[0].lines)


def test_periods_span_value_changes_and_beyond_known_tables():
    year = quote(Decimal("9000"), "general", date(2026, 6, 1), 12, rate=caller_rate(Decimal("18.50")))
    months = [m.month for m in year.months]
    assert months[0] == date(2026, 6, 1) and months[-1] == date(2027, 5, 1)
    assert [m.estimated for m in year.months] == [False] * 7 + [True] * 5  # 2027 minimum wage unknown
    assert year.estimated and year.total_usd == (year.total_mxn / Decimal("18.50")).quantize(Decimal("0.01"))
    assert year.months[7].uma == Decimal("117.31")  # January 2027 still uses the 2026 UMA, which is known
