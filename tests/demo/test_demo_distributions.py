"""The full demo's customers follow the real distributions of domain.md (sections 1a, 7)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from luckygas.domain import CYLINDER_TYPES_BY_CODE, ZONES

REAL_USAGE = {10: 0.7, 25: 2.0, 50: 4.3, 75: 9.4, 90: 17.6}


def test_zone_counts_follow_real_weights(full_demo):
    """Customers sit in the real zones with the real counts, about 88 % in Taitung City."""
    c = full_demo.customers
    counts = c["zone_code"].value_counts()
    for zone in ZONES:
        assert abs(counts.get(zone.code, 0) - zone.customers) <= 2, zone.code
    assert 0.85 <= (c["township"] == "臺東市").mean() <= 0.91


def test_customers_inside_their_zone_box(full_demo):
    """Every synthetic coordinate lies in its zone's bounding box and is marked synthetic."""
    c = full_demo.customers
    for zone in ZONES:
        z = c[c["zone_code"] == zone.code]
        assert z["lat"].between(zone.lat_min, zone.lat_max).all(), zone.code
        assert z["lng"].between(zone.lng_min, zone.lng_max).all(), zone.code
    assert (c["geocode_source"] == "synthetic").all()


def test_codes_are_unique_seven_digit_14xxxxx(full_demo):
    """Customer codes look like the real ones: unique 7-digit numbers starting with 14."""
    codes = full_demo.customers["code"]
    assert codes.is_unique
    assert codes.str.fullmatch(r"14\d{5}").all()
    assert full_demo.customers["short_name"].is_unique


def test_vehicle_requirements_match_real_counts(full_demo):
    """CAR 1052 / MOTORCYCLE 195 / EITHER 20, motorcycle-only mostly in A (158) and M (19)."""
    c = full_demo.customers
    req = c["vehicle_requirement"].value_counts()
    assert abs(req["car"] - 1052) <= 3
    assert abs(req["motorcycle"] - 195) <= 3
    assert abs(req["either"] - 20) <= 2
    moto = c[c["vehicle_requirement"] == "motorcycle"]["zone_code"].value_counts()
    assert abs(moto["A"] - 158) <= 2
    assert abs(moto["M"] - 19) <= 1


def test_type_pricing_payment_and_flag_counts(full_demo):
    """Customer type, pricing, payment and workbook flags have the real counts."""
    c = full_demo.customers
    assert (c["customer_type"] == "school").sum() == 36
    assert (c["pricing_method"] == "flow").sum() == 483
    assert (c["payment_method"] == "monthly").sum() == 616
    assert c["is_subscription"].sum() == 319
    assert c["has_alarm"].sum() == 794
    assert c["on_patrol"].sum() == 1131
    assert 11 <= c["same_day"].sum() <= 53
    assert c["is_terminated"].sum() == 10
    assert (~c["is_active"]).sum() == 10


def _size_counts(demo) -> pd.DataFrame:
    cyl = demo.cylinders[~demo.cylinders["is_spare"]].copy()
    cyl["size"] = cyl["cylinder_type"].map(lambda t: CYLINDER_TYPES_BY_CODE[t].size_kg)
    return cyl.pivot_table(
        index="customer_id", columns="size", values="quantity", aggfunc="sum", fill_value=0
    )


def test_motorcycle_only_customers_never_own_50kg(full_demo):
    """Motorcycle-only customers hold 20/16/10/4 kg cylinders, never 50 kg."""
    sizes = _size_counts(full_demo)
    moto_ids = full_demo.customers.loc[
        full_demo.customers["vehicle_requirement"] == "motorcycle", "id"
    ]
    assert sizes.reindex(moto_ids).fillna(0)[50].sum() == 0


def test_cylinder_mix_has_20kg_as_workhorse(full_demo):
    """20 kg is the most common size, 50 kg is mostly flow-metered, median 2 cylinders, max 20."""
    cyl = full_demo.cylinders[~full_demo.cylinders["is_spare"]]
    by_type = cyl.groupby("cylinder_type")["quantity"].sum()
    by_size = by_type.groupby(lambda t: CYLINDER_TYPES_BY_CODE[t].size_kg).sum()
    assert by_size.idxmax() == 20
    assert by_type["FLOW_50KG"] > 2 * by_type.get("STANDARD_50KG", 0)
    per_customer = cyl.groupby("customer_id")["quantity"].sum()
    assert per_customer.median() == 2
    assert per_customer.max() <= 20
    assert len(per_customer) == len(full_demo.customers)
    assert full_demo.cylinders["is_spare"].sum() > 0


def test_usage_percentiles_match_real_within_25_percent(full_demo):
    """Stored avg_daily_kg has the real p10/p25/median/p75/p90 within 25 %."""
    active = full_demo.customers[full_demo.customers["is_active"]]
    for q, real in REAL_USAGE.items():
        value = np.percentile(active["avg_daily_kg"], q)
        assert abs(value / real - 1) <= 0.25, (q, value, real)


def test_motorcycle_customers_use_less_gas(full_demo):
    """Motorcycle-only customers burn less (real means 5.7 vs 9.7 kg/day)."""
    c = full_demo.customers[full_demo.customers["is_active"]]
    moto = c[c["vehicle_requirement"] == "motorcycle"]["avg_daily_kg"].mean()
    car = c[c["vehicle_requirement"] != "motorcycle"]["avg_daily_kg"].mean()
    assert 0.4 <= moto / car <= 0.8
    assert 7.0 <= car <= 12.0


def test_return_ratio_like_real_residual_gas(full_demo):
    """Residual gas ratio: median about 7 %, p90 about 28 % (real 退氣 ratios)."""
    ratio = full_demo.customers.loc[full_demo.customers["is_active"], "return_ratio"]
    assert 0.03 <= ratio.median() <= 0.12
    assert 0.15 <= np.percentile(ratio, 90) <= 0.35


def test_time_preferences_and_hourly_availability(full_demo):
    """Time preferences have the real counts; customers per hourly slot within 20 % of real."""
    c = full_demo.customers
    pref = c["time_preference"].value_counts()
    assert dict(pref) == {"all_day": 565, "morning": 378, "afternoon": 287, "evening": 37}
    real = [677, 750, 834, 837, 800, 807, 788, 796, 832, 797, 696, 661]
    w = full_demo.windows
    for k, target in enumerate(real):
        start = (8 + k) * 60
        available = w[(w["start_min"] <= start) & (w["end_min"] >= start + 60)]
        n = available["customer_id"].nunique()
        assert abs(n / target - 1) <= 0.2, (8 + k, n, target)
    assert w.groupby("customer_id").size().reindex(c["id"]).notna().all()
    assert (w.groupby("customer_id").size() >= 2).mean() > 0.1  # lunch/evening gaps exist


def test_rest_days_follow_real_shares(full_demo):
    """Rest days: most never close, Sunday is the most common, some two-day codes and Red."""
    c = full_demo.customers
    rest = c["rest_weekdays"]
    assert abs(((rest == "") & ~c["closed_on_holidays"]).sum() - 1034) <= 5
    assert abs(c["closed_on_holidays"].sum() - 25) <= 1
    closed_sunday = rest.str.contains("7").sum()
    assert abs(closed_sunday - 91) <= 6  # plus the "17" two-day codes
    assert abs(rest.str.contains("1").sum() - 41) <= 2
    assert (rest.str.len() == 2).sum() >= 5
