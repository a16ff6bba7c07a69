"""The home page's charts as server-side SVG geometry: no script, so they work under the strict
CSP. Each chart is a dict the template `dashboard/_charts.html` draws; shapes carry text labels
and patterns (solid, hatched, dashed, dotted) so nothing depends on telling colours apart, and
the template puts the same figures in a table for screen readers.

The figures come from selectors (payments.selectors.charts, engagements.selectors.reliability);
this module only scales them into a view box."""

from payments.money import format_money, to_major

WIDTH = 420
BAR_HEIGHT = 180
BURN_HEIGHT = 150
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 8, 8, 22, 26


def released_chart(currency, months):
    """Money released per month: one bar per month, the amount written above it."""
    top = max((amount for _, amount in months), default=0) or 1
    inner_w = WIDTH - PAD_LEFT - PAD_RIGHT
    inner_h = BAR_HEIGHT - PAD_TOP - PAD_BOTTOM
    slot = inner_w / max(len(months), 1)
    bars = []
    for i, (month, amount) in enumerate(months):
        h = round(amount * inner_h / top, 1)
        x = round(PAD_LEFT + i * slot + slot * 0.15, 1)
        bars.append({"x": x, "y": round(PAD_TOP + inner_h - h, 1), "w": round(slot * 0.7, 1), "h": h,
                     "cx": round(x + slot * 0.35, 1), "ty": round(PAD_TOP + inner_h - h - 5, 1),
                     "label": f"{month:%b %Y}",
                     "value": format_money(amount, currency), "amount": amount,
                     "short": f"{to_major(amount, currency):,.0f}"})
    return {"currency": currency, "width": WIDTH, "height": BAR_HEIGHT, "bars": bars,
            "baseline": PAD_TOP + inner_h, "label_y": BAR_HEIGHT - 8}


def burn_chart(engagement_money, points):
    """Budget burn of one engagement: committed money over time (solid line with dots) against
    the budget (dashed) and budget + contingency (dotted)."""
    m = engagement_money
    limit = m.budget + m.contingency
    top = max([limit, *(value for _, value in points)]) or 1
    inner_w = WIDTH - PAD_LEFT - PAD_RIGHT - 130  # room on the right for the line labels
    inner_h = BURN_HEIGHT - PAD_TOP - PAD_BOTTOM

    def y(value):
        return round(PAD_TOP + inner_h - value * inner_h / top, 1)

    days = [d for d, _ in points]
    span_days = max((days[-1] - days[0]).days, 1) if days else 1
    dots = [{"x": round(PAD_LEFT + (d - days[0]).days * inner_w / span_days, 1) if len(days) > 1 else PAD_LEFT,
             "y": y(v), "day": d, "value": format_money(v, m.currency)} for d, v in points]
    if len(dots) == 1:  # a single day: a flat line from the start to the end of the axis
        dots.append({**dots[0], "x": PAD_LEFT + inner_w})
    right = PAD_LEFT + inner_w
    return {
        "engagement": m.engagement, "width": WIDTH, "height": BURN_HEIGHT, "right": right,
        "polyline": " ".join(f"{d['x']},{d['y']}" for d in dots), "dots": dots[: len(points)],
        "budget_y": y(m.budget), "limit_y": y(limit), "baseline": PAD_TOP + inner_h,
        "budget": format_money(m.budget, m.currency), "limit": format_money(limit, m.currency),
        "budget_short": f"{to_major(m.budget, m.currency):,.0f} {m.currency}",
        "committed": format_money(points[-1][1], m.currency) if points else format_money(0, m.currency),
        "first_day": days[0] if days else None, "last_day": days[-1] if days else None,
        "rows": [(d, format_money(v, m.currency)) for d, v in points],
    }


def on_time_chart(freelancers, records):
    """On-time status updates (solid) and milestones (hatched) per freelancer, as percentages,
    each bar labelled with the rate and the counts behind it."""
    rows, y = [], 4
    label_w, bar_w = 120, WIDTH - 120 - 128
    for f in freelancers:
        r = records.get(f.pk)
        if r is None or not (r.updates or r.milestones):
            continue
        bars = []
        for kind, part, whole, pattern in (("Updates", r.updates_on_time, r.updates, "solid"),
                                           ("Milestones", r.milestones_on_time, r.milestones, "hatched")):
            pct = round(part * 100 / whole) if whole else None
            bars.append({"kind": kind, "pattern": pattern, "y": y, "w": round((pct or 0) * bar_w / 100, 1),
                         "text": f"{kind}: {pct} % on time ({part} of {whole})" if whole else f"{kind}: none yet",
                         "pct": pct, "part": part, "whole": whole})
            y += 18
        rows.append({"name": f.name, "name_y": bars[0]["y"] + 13, "bars": bars})
        y += 10
    return {"width": WIDTH, "height": max(y, 30), "label_w": label_w, "bar_w": bar_w, "rows": rows}
