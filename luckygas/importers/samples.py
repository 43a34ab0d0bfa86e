"""Synthetic files in the real layouts, for tests, benchmarks and trying the importers.

The values follow the real workbook's profile (domain.md section 1a and the column
profile): zone counts, 20 kg as the workhorse size, flow-metered 50 kg sets, runs of
hourly availability with lunch gaps, rest days in every spelling the file uses (``Red``,
``7``, ``2.3``, ``6.7``), the zone typos ``F-成功縣``/``H-鹿野縣``. Names and addresses are
invented.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from luckygas.domain import ZONES, hhmm_from_minutes
from luckygas.importers import layouts as L
from luckygas.outputs import write_xlsx

_ROADS = ("中華路一段", "中山路", "正氣路", "傳廣路", "四維路二段", "更生路", "開封街", "新生路")
_SHOPS = ("麵店", "小吃", "餐廳", "早餐店", "國小", "幼兒園", "火鍋", "便當")
_REST = ("", "", "", "", "", "", "7", "7", "1", "3", "Red", "2.3", "6.7", "6")
_SWITCH = ("重量發報", "接點式發報", "自動切換", "")
_TOWNSHIP_OF_ZONE = {z.code: z.township for z in ZONES}


def sample_workbook(n: int = 1267, seed: int = 0, first_code: int = 1400001) -> pd.DataFrame:
    """A customer workbook frame with the 76 real headers and ``n`` realistic rows.

    Numbers are Python ints/floats and blanks ``None``, as pandas reads the real file;
    write it with ``frame.to_excel(path, sheet_name="客戶資料", index=False)``.
    """
    rng = np.random.default_rng(seed)
    weights = np.array([z.customers for z in ZONES], dtype=float)
    zone_idx = rng.choice(len(ZONES), size=n, p=weights / weights.sum())
    rows = []
    for i in range(n):
        zone = ZONES[zone_idx[i]]
        row: dict[str, object] = dict.fromkeys(L.WORKBOOK_COLUMNS)
        shop = _SHOPS[i % len(_SHOPS)]
        row["客戶"] = first_code + i
        row["電子發票抬頭"] = f"幸福{shop}有限公司{i}"
        row["客戶簡稱"] = f"{shop}{i}"
        town = _TOWNSHIP_OF_ZONE[zone.code]
        if i % 9 == 0 and town == "臺東市":
            town = "台東市"  # the short form is common in typed addresses
        row["地址"] = f"{town}{_ROADS[i % len(_ROADS)]}{10 + i % 300}號"
        flow = rng.random() < 0.35
        if flow:
            row["流量50公斤"] = int(rng.integers(1, 5))
            if rng.random() < 0.5:
                row["流量好運16公斤"] = 1
        else:
            row["20KG"] = int(rng.integers(1, 4))
            if rng.random() < 0.1:
                row["16KG"] = 1
            if rng.random() < 0.05:
                row["4KG"] = int(rng.integers(1, 3))
            if rng.random() < 0.04:
                row["好運16"] = 1
            if rng.random() < 0.01:
                row["幸福丸"] = 3
        if rng.random() < 0.15:
            row[L.INSTALLED_SET_COLUMN] = _installed_set(row)
        row["計價方式"] = "流量" if flow else "桶裝"
        row["結帳方式"] = "月結" if rng.random() < 0.49 else "現金"
        row["訂閱式會員"] = "V" if rng.random() < 0.25 else None
        row["發報"] = "V" if rng.random() < 0.63 else None
        row["排巡"] = "V" if rng.random() < 0.85 else ("X" if rng.random() < 0.5 else None)
        row["已解約"] = "V" if rng.random() < 0.008 else None
        row["需要當天配送"] = "V" if rng.random() < 0.01 else None
        start = int(rng.integers(8, 12))
        end = int(rng.integers(start + 2, 21))
        lunch_gap = rng.random() < 0.3
        for h, header in zip(L.HOURS, L.HOUR_COLUMNS, strict=True):
            if start <= h < end and not (lunch_gap and h in (12, 13)):
                row[header] = 1
        row[L.TIME_CODE_COLUMN] = int(rng.choice([0, 1, 2, 3], p=[0.45, 0.3, 0.22, 0.03]))
        rest = _REST[int(rng.integers(len(_REST)))]
        rest_cell = float(rest) if rest and rest != "Red" else (rest or None)
        if isinstance(rest_cell, float) and rest_cell.is_integer():
            rest_cell = int(rest_cell)
        row[L.REST_DAYS_COLUMN] = rest_cell
        row["切替器型號"] = _SWITCH[i % len(_SWITCH)] or None
        monthly = float(rng.choice([20, 40, 64, 100, 160, 350, 600]))
        residual = float(round(monthly * rng.choice([0, 0, 0.05, 0.1, 0.2]), 1))
        row["月配送量"] = monthly
        row["退氣"] = residual
        row["實際購買公斤數"] = monthly - residual
        row["退氣比例"] = residual / monthly
        row["平均日使用"] = round((monthly - residual) / 30, 4)
        row["串接數量"] = float(rng.choice([20, 36, 60, 72]))
        row["備用量"] = float(rng.choice([20, 36, 40]))
        row["最大週期"] = float(rng.integers(4, 30))
        row["可延後天數"] = float(rng.integers(1, 17))
        row["是否需要當天去"] = round(float(rng.normal(12, 20)), 2)
        label = zone.label
        if zone.code == "F" and i % 2:
            label = "F-成功縣"
        if zone.code == "H" and i % 2:
            label = "H-鹿野縣"
        row[L.ZONE_COLUMN] = label
        moto = zone.code in ("A", "M") and not flow and rng.random() < 0.4
        row[L.VEHICLE_COLUMN] = 2 if moto else (0 if rng.random() < 0.02 else 1)
        row["單一區域供應"] = int(rng.integers(1, 4))
        row["第一使用區域(串接)"] = "20KG:2" if not flow else "重量發報20*1+16*1"
        if rng.random() < 0.3:
            row["第二使用區域"] = "快速爐20*1"
        if rng.random() < 0.2:
            row["預備桶"] = "20*1" if rng.random() < 0.5 else 1
        row["流量表"] = 1 if flow else None
        row["帶線流量錶"] = 1 if flow and rng.random() < 0.8 else None
        row["切替器"] = 1 if rng.random() < 0.27 else None
        row[L.UNNAMED_COLUMN] = 1 if rng.random() < 0.1 else None
        row["智慧秤"] = 1 if rng.random() < 0.23 else None
        if shop in ("國小", "幼兒園"):
            row[L.TYPE_COLUMN] = "學校"
        elif rng.random() < 0.05:
            row[L.TYPE_COLUMN] = "市場"
        rows.append(row)
    return pd.DataFrame(rows, columns=list(L.WORKBOOK_COLUMNS), dtype=object)


def _installed_set(row: dict[str, object]) -> str:
    from luckygas.domain import CYLINDER_TYPES

    sizes: dict[int, int] = {}
    for ct in CYLINDER_TYPES:
        qty = row.get(ct.label)
        if qty:
            sizes[ct.size_kg] = sizes.get(ct.size_kg, 0) + int(qty)  # type: ignore[call-overload]
    return "+".join(f"{s}*{q}" for s, q in sorted(sizes.items(), reverse=True))


def write_workbook(frame: pd.DataFrame, path: str) -> None:
    """Write a workbook frame as the real file is laid out (column 70 without a header)."""
    out = frame.copy()
    out.columns = ["" if c == L.UNNAMED_COLUMN else c for c in frame.columns]
    write_xlsx({L.WORKBOOK_SHEET: out}, path)


def sample_history(
    n: int, codes: list[str] | np.ndarray, seed: int = 0, start: str = "2021-01-01"
) -> pd.DataFrame:
    """A per-transaction history frame (Chinese headers, ROC dates) of ``n`` rows."""
    rng = np.random.default_rng(seed)
    days = pd.Timestamp(start) + pd.to_timedelta(rng.integers(0, 1609, n), unit="D")
    roc = (days.year - 1911) * 10000 + days.month * 100 + days.day
    minutes = rng.integers(8 * 60, 19 * 60, n)
    size = rng.choice([50, 20, 16, 4], size=n, p=[0.1, 0.7, 0.15, 0.05])
    count = rng.integers(1, 4, n)
    frame = pd.DataFrame(
        {
            "日期": roc.astype(str),
            "時間": [hhmm_from_minutes(m) for m in minutes],
            "業務": rng.choice(["陳", "林", "王", "張"], n),
            "客戶編號": rng.choice(np.asarray(codes, dtype=str), n),
        }
    )
    for header, kg in (("50公斤", 50), ("20公斤", 20), ("16公斤", 16), ("4公斤", 4)):
        frame[header] = np.where(size == kg, count, 0)
    frame["好運桶16"] = np.where(rng.random(n) < 0.02, 1, 0)
    frame["流量50公斤"] = np.where(rng.random(n) < 0.1, rng.integers(10, 150, n), 0)
    for kg in (50, 20, 16, 4):
        frame[f"回收{kg}公斤"] = np.where(size == kg, count, 0)
    frame["退氣"] = np.round(rng.random(n) * 3, 1)
    return frame
