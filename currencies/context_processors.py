from currencies.selectors import rates_freshness as _rates_freshness


def rates_freshness(request) -> dict:
    """Every page shows how fresh the exchange rates behind its USD figures are."""
    return {"rates_freshness": _rates_freshness()}
