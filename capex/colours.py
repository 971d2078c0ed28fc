"""
One colour per company, the same in every chart: the dashboard's stacks, a company's own charts,
compare, a chip vendor's buyers and the reported-capex chart.

The palette is Paul Tol's "muted" qualitative scheme (Tol, "Colour Schemes", SRON technical
note SRON/EPS/TN/09-002, and https://personal.sron.nl/~pault/): nine colours chosen to stay
distinct from one another for readers with the common colour-vision deficiencies
(deuteranopia, protanopia, tritanopia) and in print. Grey is not among them: the charts keep
grey, hatched, for "Unspecified" and "Other".

A company's colour is derived from its slug (a CRC-32 of it, modulo the palette), so it needs no
stored field, is the same in every process, page and deployment, and does not move when other
companies are added. Nine colours cannot tell every company apart: two companies may share
one, so the charts also give each series in a chart its own fill pattern, and every chart has
its data table.
"""

import zlib

# (name, hex) in Tol's order.
PALETTE: tuple[tuple[str, str], ...] = (
    ("rose", "#CC6677"),
    ("indigo", "#332288"),
    ("sand", "#DDCC77"),
    ("green", "#117733"),
    ("cyan", "#88CCEE"),
    ("wine", "#882255"),
    ("teal", "#44AA99"),
    ("olive", "#999933"),
    ("purple", "#AA4499"),
)


def company_colour(slug: str) -> str:
    """The hex colour of the company with this slug, in every chart."""
    return PALETTE[zlib.crc32(slug.encode("utf-8")) % len(PALETTE)][1]
