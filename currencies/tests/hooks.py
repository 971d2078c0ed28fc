"""A stand-in for the tasks in CURRENCIES_AFTER_RATES_CHANGE, so currencies tests need no capex."""


class AfterRatesChange:
    """Counts how often the rates-changed hook started it, queued (.delay) or in process (call)."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def delay(self) -> None:
        self.calls.append("delay")

    def __call__(self) -> None:
        self.calls.append("call")


recorder = AfterRatesChange()
