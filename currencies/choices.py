import pycountry
from django.db import models


class RateProvider(models.TextChoices):
    """Where a stored rate came from. Order here is preference order on a tie of dates."""

    ECB = "ecb", "ECB reference rates (live)"
    ECB_BUNDLED = "ecb_bundled", "ECB reference rates (bundled history)"
    PEG = "peg", "Official peg"
    MANUAL = "manual", "Manual entry"


PROVIDER_PREFERENCE = [RateProvider.ECB, RateProvider.ECB_BUNDLED, RateProvider.PEG, RateProvider.MANUAL]

# Providers that publish market rates from a feed. Only these say how fresh the rates are: a peg
# holds every day by law and a manual rate is typed in, so neither can go stale.
FEED_PROVIDERS = [RateProvider.ECB, RateProvider.ECB_BUNDLED]


class RefreshStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    PARTIAL = "partial", "Succeeded, some currencies missing"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped (another run holds the lock)"


# Codes in ISO 4217's list that are not money a company spends: precious metals, bond-market
# and settlement units, fund codes, the testing code and "no currency" (XXX).
NOT_SPENDABLE_CODES = frozenset(
    {
        "XAU", "XAG", "XPD", "XPT",  # gold, silver, palladium, platinum
        "XBA", "XBB", "XBC", "XBD", "XDR", "XSU", "XUA",  # bond-market units, SDR, Sucre, ADB unit
        "XTS", "XXX",  # testing; no currency
        "BOV", "CHE", "CHW", "CLF", "COU", "MXV", "USN", "UYI", "UYW",  # funds and units of account
    }
)  # fmt: skip

# Active ISO 4217 currency codes (pycountry's copy of the standard lists the active ones), less
# the codes above.
CURRENCY_CHOICES = sorted(
    ((c.alpha_3, f"{c.alpha_3} · {c.name}") for c in pycountry.currencies if c.alpha_3 not in NOT_SPENDABLE_CODES),
    key=lambda c: c[0],
)
CURRENCY_CODES = frozenset(code for code, _ in CURRENCY_CHOICES)
