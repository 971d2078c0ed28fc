"""
Figure extraction: find the announced amounts in a source's text and suggest a draft for each.

An editor pastes an article and gets one *candidate* per figure: the amount as stated (in its
own currency, never converted), its high end for a range, the qualifier the words give it
("more than" is at least, "about" is approximately, "up to", ranges), the sentence it stands
in as the supporting quote, and hints for the breakdown dimensions taken from the words
around the amount. Hints are suggestions for the editor, not facts: `None` means the text
gave none, and the editor decides.

Rules worth knowing:

* Only an amount with a currency is a figure. "32-billion-parameter" or "50%" are not.
* A bare "$" is the US dollar unless an ISO code follows the number: "$2 billion CAD" is CAD.
* French amounts read too: "109 milliards d'euros" is EUR 109bn.
* An amount followed by its conversion in brackets, "Rmb40bn ($5.5bn)", is one figure in its
  original currency; the bracket (or ", or about $5.5bn") is a gloss and is skipped.
* "$60-65bn", "$60bn to $65bn" and "between $60bn and $65bn" are one range; "from $60bn to
  $65bn" is a change, so it gives two figures.
* When a sentence holds several amounts, each takes its hints from its own stretch of the
  sentence (from the previous amount to the next), so "RMB 40bn for chips in China and
  $6.8bn overseas for training" does not mix the two.

This module is pure: text in, candidates out, no database. The admin's "Extract figures"
view and `manage.py extract_figures` are both thin wrappers around `extract_figures()`.

`extract_in_context()` goes further for the editors' inbox: given the publication date and the
companies the site knows, each figure also gets the company it belongs to (the nearest name or
alias, per figure, not one guess per article; never the other party of a deal, "a purchase from
Oracle", nor a chip vendor named after the amount, "using Nvidia chips"), the period the words
give it ("this year", "fiscal 2026", "over the next three years", "by 2028", "in the fourth
quarter", "over the past four quarters") resolved against that date and the company's fiscal
year, the measure (capital expenditure guidance, AI investment, a programme, an equity
commitment) and, as its quote, the clause that carries the figure rather than the whole sentence.
A date ("announced May 13, 2025") is not a period; where the words give none it stays open.
"""

import calendar
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

# --- Vocabulary -------------------------------------------------------------------------------
# The hint values are the stored values of capex.choices (Qualifier, Scope, Workload, Category);
# tests check that they stay in step.
EXACT, APPROXIMATELY, AT_LEAST, UP_TO, RANGE = "exact", "approximately", "at_least", "up_to", "range"
DOMESTIC, OVERSEAS, GLOBAL = "domestic", "overseas", "global"
TRAINING, INFERENCE, MIXED = "training", "inference", "mixed"

# Currency written before the number. Longest spellings first, so "US$" wins over "$".
PREFIX_CURRENCIES: dict[str, str] = {
    "US$": "USD",
    "U.S.$": "USD",
    "HK$": "HKD",
    "NT$": "TWD",
    "S$": "SGD",
    "AU$": "AUD",
    "A$": "AUD",
    "CA$": "CAD",
    "C$": "CAD",
    "$": "USD",
    "CN¥": "CNY",
    "CN￥": "CNY",
    "人民币": "CNY",
    "€": "EUR",
    "£": "GBP",
    "₩": "KRW",
    "₹": "INR",
    "Rs.": "INR",
    "Rs": "INR",
    "RMB": "CNY",
}
# ISO 4217 codes accepted on either side of the number. Only these, not any three capitals:
# "AMD 5bn" (Armenian dram, or the chip vendor?) is more likely a vendor than a currency.
ISO_CODES = ("USD", "CNY", "EUR", "GBP", "JPY", "KRW", "INR", "HKD", "SGD", "TWD", "AUD", "CAD", "CHF", "SAR", "AED")

# Currency written after the number (and its unit).
SUFFIX_CURRENCIES: dict[str, str] = {
    "Hong Kong dollars": "HKD",
    "Singapore dollars": "SGD",
    "Australian dollars": "AUD",
    "Canadian dollars": "CAD",
    "New Taiwan dollars": "TWD",
    "Taiwan dollars": "TWD",
    "US dollars": "USD",
    "U.S. dollars": "USD",
    "dollars": "USD",
    "renminbi": "CNY",
    "yuan": "CNY",
    "RMB": "CNY",
    "euros": "EUR",
    "euro": "EUR",
    "d'euros": "EUR",
    "d’euros": "EUR",
    "de dollars": "USD",
    "pounds": "GBP",
    "yen": "JPY",
    "won": "KRW",
    "rupees": "INR",
    "riyals": "SAR",
    "dirhams": "AED",
    "元人民币": "CNY",
    "美元": "USD",
    "欧元": "EUR",
    "日元": "JPY",
    "韩元": "KRW",
    "港元": "HKD",
    "港币": "HKD",
    "人民币": "CNY",
    "元": "CNY",
}

# Units and their multipliers. Chinese counts in 万 (10^4) and 亿 (10^8); 万亿 is 10^12.
UNITS: dict[str, Decimal] = {
    "trillion": Decimal(10) ** 12,
    "trn": Decimal(10) ** 12,
    "tn": Decimal(10) ** 12,
    "billion": Decimal(10) ** 9,
    "milliards": Decimal(10) ** 9,
    "milliard": Decimal(10) ** 9,
    "bn": Decimal(10) ** 9,
    "b": Decimal(10) ** 9,
    "million": Decimal(10) ** 6,
    "mln": Decimal(10) ** 6,
    "mn": Decimal(10) ** 6,
    "m": Decimal(10) ** 6,
    "lakh crore": Decimal(10) ** 12,
    "crore": Decimal(10) ** 7,
    "万亿": Decimal(10) ** 12,
    "千亿": Decimal(10) ** 11,
    "亿": Decimal(10) ** 8,
    "万": Decimal(10) ** 4,
}

# Words just before an amount that qualify it. Checked against the end of the text before it.
QUALIFIER_BEFORE: list[tuple[str, str]] = [
    (
        AT_LEAST,
        r"more\s+than|over|at\s+least|upwards\s+of|in\s+excess\s+of|exceeding|north\s+of|above|"
        r"greater\s+than|no\s+less\s+than|超过|超|逾|至少|不少于|不低于",
    ),
    (UP_TO, r"up\s+to|as\s+much\s+as|as\s+high\s+as|at\s+most|no\s+more\s+than|最多|高达|不超过"),
    (
        APPROXIMATELY,
        r"about|around|approximately|approx\.|roughly|some|nearly|almost|close\s+to|"
        r"an\s+estimated|estimated|circa|~|≈|约|近|大约|将近|左右",
    ),
]
# Words just after an amount that make it a lower bound: "$12bn or more", "$12bn-plus", "$12bn+".
AT_LEAST_AFTER = re.compile(r"^(?:\s*\+|-plus\b|\s+plus\b|\s+or\s+more\b|\s+and\s+(?:more|above)\b|以上)", re.I)

# Countries named as the place the money goes: "in China", "within the US".
COUNTRIES: dict[str, str] = {
    "mainland China": "CN",
    "China": "CN",
    "the United States": "US",
    "United States": "US",
    "the US": "US",
    "the U.S.": "US",
    "America": "US",
    "Japan": "JP",
    "South Korea": "KR",
    "Korea": "KR",
    "India": "IN",
    "Malaysia": "MY",
    "Singapore": "SG",
    "Indonesia": "ID",
    "Thailand": "TH",
    "Vietnam": "VN",
    "Taiwan": "TW",
    "Hong Kong": "HK",
    "Saudi Arabia": "SA",
    "the UAE": "AE",
    "United Arab Emirates": "AE",
    "the United Arab Emirates": "AE",
    "the UK": "GB",
    "the United Kingdom": "GB",
    "Britain": "GB",
    "France": "FR",
    "Germany": "DE",
    "Spain": "ES",
    "Italy": "IT",
    "the Netherlands": "NL",
    "Ireland": "IE",
    "Sweden": "SE",
    "Finland": "FI",
    "Norway": "NO",
    "Brazil": "BR",
    "Mexico": "MX",
    "Canada": "CA",
    "Australia": "AU",
}
CHINESE_COUNTRIES = {"中国": "CN", "国内": "CN", "美国": "US", "日本": "JP", "马来西亚": "MY"}

SCOPE_WORDS: list[tuple[str, re.Pattern[str]]] = [
    (
        OVERSEAS,
        re.compile(
            rf"\boverseas\b|\babroad\b|\binternationally\b|海外|境外"
            rf"|\boutside\s+(?:of\s+)?(?:its\s+home\s+market|{'|'.join(re.escape(c) for c in COUNTRIES)})",
            re.I,
        ),
    ),
    (DOMESTIC, re.compile(r"\bdomestic(?:ally)?\b|\bat\s+home\b|\bhome\s+market\b|国内|境内", re.I)),
    (GLOBAL, re.compile(r"\bglobal(?:ly)?\b|\bworldwide\b|\baround\s+the\s+world\b|全球", re.I)),
]

WORKLOAD_WORDS = [
    (TRAINING, re.compile(r"\btrain(?:ing|ed|s)?\b|训练", re.I)),
    (INFERENCE, re.compile(r"\binferenc(?:e|ing)\b|推理", re.I)),
]

# Specific categories; several at once, or only "infrastructure", make it general.
CATEGORY_WORDS = [
    (
        "chips",
        re.compile(r"\bchips?\b|\bGPUs?\b|\baccelerators?\b|\bsemiconductors?\b|\bprocessors?\b|芯片|算力卡", re.I),
    ),
    ("data_centres", re.compile(r"\bdata[\s-]?cent(?:re|er)s?\b|\bserver\s+farms?\b|数据中心|智算中心", re.I)),
    ("compute_rental", re.compile(r"\brent(?:al|ing|s|ed)?\b|\bleas(?:e|ing)\b|算力租赁", re.I)),
    ("energy", re.compile(r"\bpower\s+plants?\b|\benergy\b|\belectricity\b|\bnuclear\b|能源|电力", re.I)),
    ("research_models", re.compile(r"\bR&D\b|\bresearch\s+and\s+development\b|研发", re.I)),
]
GENERAL_WORDS = re.compile(r"\binfrastructure\b|基础设施|基建", re.I)

# Chip vendors by the names articles use; the value is the name a vendor company is filed under.
VENDORS: dict[str, str] = {
    "Nvidia": "Nvidia",
    "NVIDIA": "Nvidia",
    "英伟达": "Nvidia",
    "Advanced Micro Devices": "AMD",
    "AMD": "AMD",
    "Intel": "Intel",
    "英特尔": "Intel",
    "Huawei": "Huawei",
    "Ascend": "Huawei",
    "华为": "Huawei",
    "昇腾": "Huawei",
    "Cambricon": "Cambricon",
    "寒武纪": "Cambricon",
    "Hygon": "Hygon",
    "海光": "Hygon",
    "Kunlunxin": "Kunlunxin",
    "昆仑芯": "Kunlunxin",
    "Moore Threads": "Moore Threads",
    "摩尔线程": "Moore Threads",
    "Biren": "Biren",
    "壁仞": "Biren",
    "MetaX": "MetaX",
    "沐曦": "MetaX",
    "Enflame": "Enflame",
    "燧原": "Enflame",
    "Broadcom": "Broadcom",
    "Marvell": "Marvell",
    "Qualcomm": "Qualcomm",
    "Cerebras": "Cerebras",
    "Groq": "Groq",
    "SambaNova": "SambaNova",
    "Graphcore": "Graphcore",
    "Tenstorrent": "Tenstorrent",
}

# Abbreviations whose full stop does not end a sentence ("Nvidia Corp. NVDA chips").
ABBREVIATIONS = frozenset(
    {"corp", "inc", "ltd", "co", "plc", "llc", "mr", "mrs", "ms", "dr", "st", "jr", "sr", "vs", "no", "approx"}
    | {"est", "fig", "ed", "rs", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"}
)


def _alternation(words) -> str:
    return "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))


_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_WORD_UNITS = _alternation(unit for unit in UNITS if unit.isascii() and len(unit) > 1)
_CJK_UNITS = _alternation(unit for unit in UNITS if not unit.isascii())
# A unit: a word ("billion", "bn") after an optional space, a Chinese unit, or a bare b/m
# stuck to the number ("$12B", "$500m").
_UNIT = rf"(?:\s?(?i:{_WORD_UNITS})\b|(?:{_CJK_UNITS})|[bBmM](?![A-Za-z]))"
_PREFIX = rf"(?:{_alternation(PREFIX_CURRENCIES)}|(?i:rmb)(?=\s?\d)|(?:{'|'.join(ISO_CODES)})(?=\s?\d))"
_CJK_SUFFIXES = _alternation(word for word in SUFFIX_CURRENCIES if not word.isascii())
_WORD_SUFFIXES = _alternation(word for word in SUFFIX_CURRENCIES if word.isascii())
_SUFFIX = rf"(?:{_CJK_SUFFIXES}|\s?(?:{_WORD_SUFFIXES}|{'|'.join(ISO_CODES)})\b)"


def _amount(tag: str) -> str:
    """One amount: optional currency before, number, optional unit, optional currency after."""
    return (
        rf"(?:(?<![A-Za-z])(?P<pre{tag}>{_PREFIX})\s?|(?<![A-Za-z0-9_.,]))(?P<num{tag}>{_NUMBER})(?P<unit{tag}>{_UNIT})?"
        rf"(?P<post{tag}>{_SUFFIX})?"
    )


_RANGE_SEPARATOR = r"\s*(?:-|–|—|~|to|至|到)\s*"
MONEY = re.compile(
    rf"(?P<between>\bbetween\s+)?{_amount('1')}"
    rf"(?:(?P<sep>{_RANGE_SEPARATOR}|(?(between)\s+and\s+|(?!)))(?P<second>{_amount('2')}))?",
    re.UNICODE,
)
# A gloss right after an amount: "($5.5bn)", "(about $5.5bn)", ", or about $5.5bn".
GLOSS = re.compile(
    rf"(?:\s*[(\[（]\s*(?:or\s+|about\s+|around\s+|approximately\s+|roughly\s+|some\s+|~|≈|约)?{_amount('g')}"
    rf"[^)\]）]{{0,30}}[)\]）]"
    rf"|,?\s+(?:or|equivalent\s+to|worth)\s+(?:about\s+|around\s+|approximately\s+|roughly\s+|some\s+)?{_amount('h')})",
    re.UNICODE,
)
_QUALIFIER_BEFORE = [(value, re.compile(rf"(?<![A-Za-z])(?:{words})\s*$", re.I)) for value, words in QUALIFIER_BEFORE]
_BETWEEN_BEFORE = re.compile(r"\bbetween\s*$", re.I)
_FROM_BEFORE = re.compile(r"\bfrom\s*$", re.I)
_COUNTRY = re.compile(
    rf"\b(?i:in|within|inside|across|into|throughout)\s+(?P<country>{_alternation(COUNTRIES)})(?![\w])"
    rf"|(?:在)?(?P<cn>{_alternation(CHINESE_COUNTRIES)})(?=境内|国内|本土|市场|的|建设|采购|投资)"
)
_VENDOR = re.compile(rf"(?<![A-Za-z])(?:{_alternation(VENDORS)})(?![a-z])")
_JOINT = re.compile(r"\b(?:and|while|whereas|but|plus|with)\b|[,;，；、]|以及|和")
_SENTENCE_END = re.compile(r"[.!?](?=[\"'”’)\]]*\s+[\"'“‘(\[]*[A-Z0-9])|[。！？]")


@dataclass(frozen=True)
class Candidate:
    """
    One figure found in the text, as an editor would start a draft from it.

    `scope` is "domestic", "overseas", "global", or "in <Country>" where the text only names
    the country the money goes to ("within China"): whether that is domestic depends on the
    company, which the text alone does not settle; `countries` holds the ISO codes for that.
    """

    amount: Decimal
    amount_high: Decimal | None
    currency: str
    qualifier: str
    quote: str
    scope: str | None = None
    workload: str | None = None
    category: str | None = None
    vendors: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    year: int | None = None

    def as_dict(self) -> dict:
        """The JSON form other tools read: amounts as exact decimal strings, null where no hint."""
        return {
            "amount": decimal_string(self.amount),
            "amount_high": decimal_string(self.amount_high) if self.amount_high is not None else None,
            "currency": self.currency,
            "qualifier": self.qualifier,
            "quote": self.quote,
            "scope": self.scope,
            "workload": self.workload,
            "category": self.category,
            "vendors": list(self.vendors) or None,
        }


def decimal_string(value: Decimal) -> str:
    """An exact plain-digits string ("12000000000", "5.5"), never an exponent or a float."""
    if value == value.to_integral_value():
        return str(value.quantize(Decimal(1)))
    return format(value.normalize(), "f")


def extract_figures(text: str) -> list[Candidate]:
    """Every figure in the text, in reading order; identical repeats are given once."""
    candidates: list[Candidate] = []
    seen: set[Candidate] = set()
    for sentence in split_sentences(text):
        for candidate in _sentence_candidates(sentence):
            if candidate not in seen:
                seen.add(candidate)
                candidates.append(candidate)
    return candidates


def split_sentences(text: str) -> list[str]:
    """
    Sentences, each on one line: a line break always ends one (headlines have no full stop),
    and a full stop followed by a capital does unless it closes an abbreviation ("Corp.",
    "U.S.") or an initial.
    """
    sentences: list[str] = []
    for line in text.splitlines():
        line = " ".join(line.split())
        start = 0
        for match in _SENTENCE_END.finditer(line):
            end = match.end()
            if match.group() == "." and _is_abbreviation(line[start : match.start()]):
                continue
            sentence = line[start:end].strip()
            if sentence:
                sentences.append(sentence)
            start = end
        rest = line[start:].strip()
        if rest:
            sentences.append(rest)
    return sentences


def _is_abbreviation(before: str) -> bool:
    word = re.search(r"([\w.]+)$", before)
    if not word:
        return False
    token = word.group(1)
    # Initials and dotted abbreviations: "U.S", "J", "e.g"
    if len(token) == 1 or re.fullmatch(r"(?:\w\.)+\w", token):
        return True
    return token.lower() in ABBREVIATIONS


@dataclass
class _Found:
    start: int
    end: int
    amount: Decimal
    amount_high: Decimal | None
    currency: str
    qualifier: str


def _sentence_candidates(sentence: str) -> list[Candidate]:
    return [candidate for candidate, _found, _window in _sentence_figures(sentence)]


def _sentence_figures(sentence: str) -> list[tuple[Candidate, "_Found", tuple[int, int]]]:
    """Each figure of a sentence with where its amount stands and the stretch its hints come from."""
    found = _find_amounts(sentence)
    figures = []
    # Each amount's hints come from its own stretch of the sentence: the text between two
    # amounts is cut at the last "and", comma or the like before the second one.
    cuts = [0]
    for previous, following in itertools.pairwise(found):
        between = sentence[previous.end : following.start]
        joints = list(_JOINT.finditer(between))
        cuts.append(previous.end + joints[-1].start() if joints else following.start)
    cuts.append(len(sentence))
    for index, item in enumerate(found):
        window = sentence[cuts[index] : cuts[index + 1]]
        countries = _countries(window)
        candidate = Candidate(
            amount=item.amount,
            amount_high=item.amount_high,
            currency=item.currency,
            qualifier=item.qualifier,
            quote=sentence,
            scope=_scope(window, countries),
            workload=_workload(window),
            category=_category(window),
            vendors=_vendors(window),
            countries=countries,
            year=_year(window),
        )
        figures.append((candidate, item, (cuts[index], cuts[index + 1])))
    return figures


def _find_amounts(sentence: str) -> list[_Found]:
    found: list[_Found] = []
    position = 0
    while True:
        match = MONEY.search(sentence, position)
        if match is None:
            return found
        before = sentence[: match.start()]
        parsed = _parse(match, before)
        if parsed is None:
            # Not money (no currency on either side): look again just after the number.
            position = match.end("num1")
            continue
        # A gloss in brackets or after "or" is the same figure converted: skip it.
        gloss = GLOSS.match(sentence, parsed.end)
        if gloss and _currency(gloss, "g" if gloss.group("numg") else "h"):
            parsed.end = gloss.end()
        if AT_LEAST_AFTER.match(sentence[parsed.end :]) and parsed.qualifier == EXACT:
            parsed.qualifier = AT_LEAST
        found.append(parsed)
        position = parsed.end


def _parse(match: re.Match, before: str) -> _Found | None:
    first_currency = _currency(match, "1")
    second = match.group("second")
    second_currency = _currency(match, "2") if second else None
    is_range = bool(second) and not (
        # "from $60bn to $65bn" is a change of figure, not a range
        (match.group("sep") or "").strip() in ("to", "至", "到") and _FROM_BEFORE.search(before)
    )
    if is_range and first_currency and second_currency and first_currency != second_currency:
        is_range = False
    if is_range and not (first_currency or second_currency):
        return None
    # "$5bn to 2030" is an amount and a year: the high end of a range carries a unit or currency
    # unless neither end does ("$500,000-600,000"), and then it is not a year.
    if (
        is_range
        and not match.group("unit2")
        and not second_currency
        and (match.group("unit1") or re.fullmatch(r"(?:19|20)\d{2}", match.group("num2")))
    ):
        is_range = False
    if not is_range:
        if not first_currency:
            return None
        end = match.end("post1") if match.group("post1") else match.end("unit1") if match.group("unit1") else None
        end = end or match.end("num1")
        return _Found(
            start=match.start(),
            end=end,
            amount=_value(match.group("num1"), match.group("unit1")),
            amount_high=None,
            currency=first_currency,
            qualifier=_qualifier_before(before),
        )
    # "$60-65bn": the unit of the high end applies to the low end, and the other way round.
    unit_low = match.group("unit1") or match.group("unit2")
    unit_high = match.group("unit2") or match.group("unit1")
    low = _value(match.group("num1"), unit_low)
    high = _value(match.group("num2"), unit_high)
    if high < low:
        low, high = high, low
    return _Found(
        start=match.start(),
        end=match.end(),
        amount=low,
        amount_high=high,
        currency=first_currency or second_currency,
        qualifier=RANGE,
    )


def _currency(match: re.Match, tag: str) -> str | None:
    prefix = match.group(f"pre{tag}")
    suffix = match.group(f"post{tag}")
    if prefix and suffix and prefix.strip() == "$" and suffix.strip() in ISO_CODES:
        # "$2 billion CAD": a dollar sign is any dollar; the code after the number says which.
        return suffix.strip()
    if prefix:
        prefix = prefix.strip()
        if prefix.upper() == "RMB":
            return "CNY"
        return PREFIX_CURRENCIES.get(prefix) or (prefix if prefix in ISO_CODES else None)
    if suffix:
        suffix = suffix.strip()
        return SUFFIX_CURRENCIES.get(suffix) or (suffix if suffix in ISO_CODES else None)
    return None


def _value(number: str, unit: str | None) -> Decimal:
    value = Decimal(number.replace(",", ""))
    if unit:
        unit = unit.strip()
        multiplier = UNITS.get(unit) or UNITS.get(unit.lower())
        value *= multiplier
    return value


def _qualifier_before(before: str) -> str:
    tail = before[-40:]
    for value, pattern in _QUALIFIER_BEFORE:
        if pattern.search(tail):
            return value
    return EXACT


def _countries(window: str) -> tuple[str, ...]:
    codes: list[str] = []
    for match in _COUNTRY.finditer(window):
        code = COUNTRIES[match.group("country")] if match.group("country") else CHINESE_COUNTRIES[match.group("cn")]
        if code not in codes:
            codes.append(code)
    return tuple(codes)


def _scope(window: str, countries: tuple[str, ...]) -> str | None:
    for value, pattern in SCOPE_WORDS:
        if pattern.search(window):
            return value
    if countries:
        # The country as the text names it: "in China", "in the United States".
        names: list[str] = []
        for match in _COUNTRY.finditer(window):
            name = match.group("country") or match.group("cn")
            if name not in names:
                names.append(name)
        return "in " + " and ".join(names)
    return None


def _workload(window: str) -> str | None:
    found = [value for value, pattern in WORKLOAD_WORDS if pattern.search(window)]
    if len(found) == 2:
        return MIXED
    return found[0] if found else None


def _category(window: str) -> str | None:
    found = [value for value, pattern in CATEGORY_WORDS if pattern.search(window)]
    if len(found) == 1:
        return found[0]
    if found or GENERAL_WORDS.search(window):
        return "general"
    return None


def _vendors(window: str) -> tuple[str, ...]:
    names: list[str] = []
    for match in _VENDOR.finditer(window):
        name = VENDORS[match.group()]
        if name not in names:
            names.append(name)
    return tuple(names)


def _year(window: str) -> int | None:
    years = {int(year) for year in re.findall(r"(?<!\d)(20\d{2})(?!\d)", window)}
    return years.pop() if len(years) == 1 else None


# --- Figures in context: company, period, measure, clause -------------------------------------
# The stored values of capex.choices.Measure.
TOTAL_CAPEX, AI_INVESTMENT, PROGRAMME, EQUITY_COMMITMENT = (
    "total_capex",
    "ai_investment",
    "programme",
    "equity_commitment",
)

NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}

_FISCAL = re.compile(r"\b(?:fiscal(?:\s+year)?|FY)\s*'?(?P<year>20\d{2}|\d{2})\b", re.I)
_FISCAL_RELATIVE = re.compile(r"\b(?P<which>this|current|next|coming)\s+fiscal(?:\s+year)?\b", re.I)
_YEAR_SPAN = re.compile(
    r"\b(?:between\s+|from\s+)?(?P<start>20\d{2})\s*(?:-|–|—|to|through|and|until)\s*(?P<end>20\d{2}|\d{2})\b", re.I
)
_NEXT_YEARS = re.compile(
    rf"\b(?:over|in|during|within|for)\s+the\s+(?:next|coming|following)\s+(?P<count>\d{{1,2}}|{'|'.join(NUMBER_WORDS)})"
    r"\s+years\b",
    re.I,
)
_BY_YEAR = re.compile(r"\b(?:by|through|until|till)\s+(?:the\s+end\s+of\s+)?(?P<year>20\d{2})\b", re.I)
# "a seven-year, $38 billion deal", "over five years".
_YEARS_LONG = re.compile(
    rf"\b(?:(?P<count>\d{{1,2}}|{'|'.join(NUMBER_WORDS)})-year\b|over\s+(?P<over>\d{{1,2}}|{'|'.join(NUMBER_WORDS)})\s+years\b)",
    re.I,
)
# "over the next five years, starting in 2027": the count runs from that year, not from the announcement.
_STARTING = re.compile(r"\b(?:starting|beginning|from)\s+(?:in\s+)?(?P<year>20\d{2})\b", re.I)
_QUARTER_NUMBERS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4}
# "in the fourth quarter (of 2024)", "Q4 2024": a quarter of the company's fiscal year.
_QUARTER = re.compile(
    rf"\b(?:(?P<word>{'|'.join(_QUARTER_NUMBERS)})\s+quarter(?:\s+of(?:\s+fiscal)?)?|Q(?P<digit>[1-4]))"
    r"(?:\s+(?P<year>20\d{2})(?![\d-]))?",
    re.I,
)
# "over the past four quarters": the quarters up to the last one that ended before the announcement.
_PAST_QUARTERS = re.compile(
    rf"\b(?:past|last|previous|trailing)\s+(?P<count>\d{{1,2}}|{'|'.join(NUMBER_WORDS)})\s+quarters\b", re.I
)
# A day or a month of a year says when something happened, not the period a figure covers.
_DATE = re.compile(
    r"\b(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|"
    r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?\s+(?:\d{1,2}(?:st|nd|rd|th)?,?\s+)?20\d{2}\b"
)
_FULL_YEAR = re.compile(r"\bfull[\s-]year\b|\bfor\s+the\s+year\b", re.I)
_RELATIVE_YEAR = re.compile(r"\b(?P<which>this|next|the\s+current|the\s+coming)\s+year\b", re.I)
_ONE_YEAR = re.compile(r"(?<![\d-])(?P<year>20\d{2})(?![\d-])")

_MEASURE_WORDS: list[tuple[str, re.Pattern[str]]] = [
    (EQUITY_COMMITMENT, re.compile(r"\bstakes?\b|\bequity\b|\bfunding\s+round\b|\bshareholding\b|股权|入股", re.I)),
    (
        TOTAL_CAPEX,
        re.compile(r"\bcapital\s+(?:expenditures?|spending)\b|\bexpenditures?\b|\bcapex\b|资本开支|资本支出", re.I),
    ),
    (
        PROGRAMME,
        re.compile(r"\bprogram(?:me)?s?\b|\binitiatives?\b|\bnational\b|\bgovernment\b|\bsubsid(?:y|ies)\b|计划", re.I),
    ),
]
# "invest $10bn in Anthropic": an equity commitment when a company follows "in".
_INVEST_IN = re.compile(r"\binvest(?:s|ed|ing|ment)?\b.{0,60}?\bin\s+(?P<target>[^\s,.;]+(?:\s+[^\s,.;]+)?)", re.I)

# Where a clause ends inside a sentence: a semicolon, a dash, or a comma before words that
# start another statement ("..., increased from our prior outlook of $60-65 billion").
_CLAUSE_BREAK = re.compile(
    r";\s+|\s+[—–]\s+|\s+-\s+|,\s+(?=(?:increased|raised|up|down|compared|while|whereas|but|which|after|versus|"
    r"a\s+rise|an\s+increase|a\s+decrease|from\s+(?:a|an|its|our|the)\s+(?:prior|previous|earlier)|"
    r"and\s+(?:it|we|the\s+company)\s)\b)|\s+(?=while\s)",
    re.I,
)


@dataclass(frozen=True)
class KnownCompany:
    """
    A company the text may name: its key (the slug), every name it goes by, its fiscal year's last
    month. A chip vendor (`vendor`) owns a figure only when named before the amount: "Nvidia will
    invest up to $100 billion in OpenAI" is Nvidia's, "$6.8 billion ... using Nvidia chips" is not.
    """

    key: str
    names: tuple[str, ...]
    fiscal_year_end_month: int = 12
    vendor: bool = False


@dataclass(frozen=True)
class FigureInContext:
    """
    A candidate with what its surroundings say: whose figure it is, for which period, what it
    measures, and the clause that carries it (`quote`, verbatim) within its `sentence`.
    `paragraph` counts the text's non-empty lines from 1, for the citation's locator.
    """

    candidate: Candidate
    company: str | None
    period_start: date | None
    period_end: date | None
    period_label: str
    measure: str
    quote: str
    sentence: str
    paragraph: int

    def as_dict(self) -> dict:
        """The candidate's JSON form with the context keys added and the quote narrowed to the clause."""
        values = self.candidate.as_dict()
        values.update(
            quote=self.quote,
            company=self.company,
            period_start=self.period_start.isoformat() if self.period_start else None,
            period_end=self.period_end.isoformat() if self.period_end else None,
            measure=self.measure,
        )
        return values


def extract_in_context(
    text: str,
    *,
    published: date | None = None,
    companies: Sequence[KnownCompany] = (),
    default_company: str | None = None,
) -> list[FigureInContext]:
    """
    Every figure of the text with its company, period, measure and clause. The company is
    the one named nearest the amount: in its own stretch of the sentence, else in the sentence,
    else the last one named before it in the text, else `default_company` (the feed's company).
    Relative periods ("this year") need `published`; without it they stay open.
    """
    mentions = _company_pattern(companies)
    by_name = {spelling: company for company in companies for spelling in _spellings(company.names)}
    vendors = {company.key for company in companies if company.vendor}
    last_named: str | None = None
    figures: list[FigureInContext] = []
    seen: set[tuple] = set()
    paragraph = 0
    for line in text.splitlines():
        if not line.strip():
            continue
        paragraph += 1
        for sentence in split_sentences(line):
            # Who may own a figure: not a counterparty ("from Oracle", "in Anthropic"), and a chip
            # vendor only when named before the amount.
            named = [
                (m.start(), by_name[m.group()].key)
                for m in (mentions.finditer(sentence) if mentions else ())
                if not _counterparty(sentence, m.start(), m.end())
            ]
            for candidate, found, (low, high) in _sentence_figures(sentence):
                company = (
                    _nearest(named, found.start, low, high, vendors)
                    or _nearest(named, found.start, 0, len(sentence), vendors)
                    or last_named
                    or default_company
                )
                window = sentence[low:high]
                fiscal_end = next((c.fiscal_year_end_month for c in companies if c.key == company), 12)
                # The words up to the amount usually carry its period ("full year 2025 capital
                # expenditures ... $64-72 billion"); then its stretch, then the whole sentence.
                for context in (sentence[low : found.end], window, sentence):
                    start, end, label = resolve_period(context, published=published, fiscal_year_end_month=fiscal_end)
                    if start or end:
                        break
                figure = FigureInContext(
                    candidate=candidate,
                    company=company,
                    period_start=start,
                    period_end=end,
                    period_label=label,
                    measure=measure_of(window, companies) or measure_of(sentence, companies) or AI_INVESTMENT,
                    quote=clause_of(sentence, found.start, found.end),
                    sentence=sentence,
                    paragraph=paragraph,
                )
                key = (candidate.amount, candidate.amount_high, candidate.currency, company, start, end)
                if key not in seen:
                    seen.add(key)
                    figures.append(figure)
            owners = [key for _position, key in named if key not in vendors]
            if owners:
                last_named = owners[-1]
    return figures


# A name right after these words is the other party of a deal, not the one spending ("a purchase
# from Oracle", "invest in Anthropic", "between Nscale and Aker"); but "with Amazon committing $50
# billion" names the one spending.
_COUNTERPARTY = re.compile(
    r"\b(?:from|with|in|into|to|beyond)\s+(?:the\s+)?$|\bbetween\s+(?:\S+\s+){0,3}?(?:and\s+)?$", re.I
)
_ACTING = re.compile(r"^[’']?s?\s+\w+ing\b")


def _counterparty(sentence: str, start: int, end: int) -> bool:
    before = sentence[max(0, start - 40) : start]
    return bool(_COUNTERPARTY.search(before)) and not (
        re.search(r"\bwith\s+$", before, re.I) and _ACTING.match(sentence[end:])
    )


def _spellings(names: Sequence[str]) -> set[str]:
    """Every name as written and, for Latin names, in capitals too ("NVIDIA" for Nvidia)."""
    return {name for name in names if len(name) >= 2} | {
        name.upper() for name in names if len(name) >= 2 and name.isascii() and not name.isupper()
    }


def _company_pattern(companies: Sequence[KnownCompany]) -> re.Pattern[str] | None:
    names = {spelling for company in companies for spelling in _spellings(company.names)}
    if not names:
        return None
    # Latin names are whole words ("Meta", not "metaverse"); Chinese names have no word breaks.
    latin = [name for name in names if name.isascii()]
    other = [name for name in names if not name.isascii()]
    parts = ([rf"(?<![\w])(?:{_alternation(latin)})(?![\w])"] if latin else []) + (
        [_alternation(other)] if other else []
    )
    return re.compile("|".join(parts))


def _nearest(named: list[tuple[int, str]], at: int, low: int, high: int, vendors: set[str] = frozenset()) -> str | None:
    """The company named in [low, high) nearest before `at`, else nearest after it (a chip vendor only before)."""
    before = [key for position, key in named if low <= position < at]
    if before:
        return before[-1]
    after = [key for position, key in named if at <= position < high and key not in vendors]
    return after[0] if after else None


def fiscal_year_bounds(year: int, end_month: int) -> tuple[date, date]:
    """Fiscal `year` is the one that ends in that calendar year: Microsoft's (June) fiscal 2025 starts 2024-07-01."""
    end = date(year, end_month, calendar.monthrange(year, end_month)[1])
    start = date(year, 1, 1) if end_month == 12 else date(year - 1, end_month + 1, 1)
    return start, end


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def resolve_period(
    text: str, *, published: date | None, fiscal_year_end_month: int = 12
) -> tuple[date | None, date | None, str]:
    """
    The period the words give, as (start, end, label as stated), resolved against the
    publication date; (None, None, "") when the words give none. A figure "over the next three
    years" announced on 2025-02-24 runs to 2028-02-23; "by 2028" runs from the announcement.
    """
    quarter = next((match for match in _QUARTER.finditer(text) if match.group("year")), None)
    if quarter:  # "the fourth quarter of 2024", "the second quarter of fiscal 2025"
        return _quarter(quarter, published, fiscal_year_end_month)
    if match := _FISCAL.search(text):
        year = int(match.group("year"))
        year = year + 2000 if year < 100 else year
        start, end = fiscal_year_bounds(year, fiscal_year_end_month)
        return start, end, f"FY{year}"
    if (match := _FISCAL_RELATIVE.search(text)) and published:
        year = published.year + (1 if published.month > fiscal_year_end_month else 0)
        if match.group("which").lower() in ("next", "coming"):
            year += 1
        start, end = fiscal_year_bounds(year, fiscal_year_end_month)
        return start, end, f"FY{year}"
    if match := _YEAR_SPAN.search(text):
        first = int(match.group("start"))
        last = int(match.group("end"))
        last = last + (first // 100) * 100 if last < 100 else last
        if first < last <= first + 30:
            return date(first, 1, 1), date(last, 12, 31), f"{first}-{last}"
    counted = _NEXT_YEARS.search(text) or _YEARS_LONG.search(text)
    if counted and (starting := _STARTING.search(text)):
        count = next(group for group in counted.groups() if group).lower()
        years = NUMBER_WORDS.get(count) or int(count)
        first = int(starting.group("year"))
        return date(first, 1, 1), date(first + years - 1, 12, 31), f"{first}-{first + years - 1}"
    if (match := _NEXT_YEARS.search(text)) and published:
        count = match.group("count").lower()
        years = NUMBER_WORDS.get(count) or int(count)
        return published, _add_years(published, years) - timedelta(days=1), f"{years} years"
    if (match := _YEARS_LONG.search(text)) and published:
        count = (match.group("count") or match.group("over")).lower()
        years = NUMBER_WORDS.get(count) or int(count)
        return published, _add_years(published, years) - timedelta(days=1), f"{years} years"
    if (match := _BY_YEAR.search(text)) and published:
        year = int(match.group("year"))
        if year == published.year:  # "by 2025" said in 2025: that year's plan
            return date(year, 1, 1), date(year, 12, 31), str(year)
        if year > published.year:
            return published, date(year, 12, 31), f"to {year}"
    if (match := _RELATIVE_YEAR.search(text)) and published:
        year = published.year + (1 if match.group("which").lower() in ("next", "the coming") else 0)
        return date(year, 1, 1), date(year, 12, 31), str(year)
    years = {int(found) for found in _ONE_YEAR.findall(_DATE.sub(" ", text))}
    if len(years) == 1:
        year = years.pop()
        return date(year, 1, 1), date(year, 12, 31), str(year)
    if _FULL_YEAR.search(text) and published and not years:
        return date(published.year, 1, 1), date(published.year, 12, 31), str(published.year)
    # A quarter without its year: the latest one over by the announcement, unless a year is named.
    if (match := _PAST_QUARTERS.search(text)) and published and not years:
        count = match.group("count").lower()
        quarters = NUMBER_WORDS.get(count) or int(count)
        end = _last_quarter_end(published, fiscal_year_end_month)
        return _months_before(end, 3 * quarters), end, f"{quarters} quarters to {end:%Y-%m}"
    if (match := _QUARTER.search(text)) and published and not years:
        return _quarter(match, published, fiscal_year_end_month)
    return None, None, ""


def _quarter(match: re.Match, published: date | None, fiscal_year_end_month: int) -> tuple[date, date, str]:
    number = _QUARTER_NUMBERS[match.group("word").lower()] if match.group("word") else int(match.group("digit"))
    year = int(match.group("year")) if match.group("year") else None
    end = _quarter_end(number, year, published, fiscal_year_end_month)
    return _months_before(end, 3), end, f"Q{number} {end.year}"


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _months_before(end: date, months: int) -> date:
    """The first day of the stretch of `months` whole months that ends on `end` (a month's last day)."""
    index = end.year * 12 + end.month - 1 - (months - 1)
    return date(index // 12, index % 12 + 1, 1)


def _last_quarter_end(published: date, fiscal_year_end_month: int) -> date:
    """The end of the last fiscal quarter that was over by `published`."""
    year, month = published.year, published.month
    while True:
        end = _month_end(year, month)
        if (month - fiscal_year_end_month) % 3 == 0 and end <= published:
            return end
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)


def _quarter_end(number: int, year: int | None, published: date | None, fiscal_year_end_month: int) -> date:
    """
    The last day of fiscal quarter `number`: of fiscal `year` when given, else the latest one over
    by `published` (results are announced after the quarter: "in the fourth quarter" in March 2025
    is October to December 2024 for a calendar-year company).
    """
    month = (fiscal_year_end_month + 3 * number - 1) % 12 + 1
    if year is not None:
        # Fiscal `year` ends in that calendar year; its earlier quarters may end the year before.
        return _month_end(year if month <= fiscal_year_end_month else year - 1, month)
    end = _month_end(published.year, month)
    return end if end <= published else _month_end(published.year - 1, month)


def measure_of(text: str, companies: Sequence[KnownCompany] = ()) -> str | None:
    """What the words say the figure measures, or None when they do not say."""
    names = {name.lower() for company in companies for name in company.names}
    for value, pattern in _MEASURE_WORDS:
        if pattern.search(text):
            return value
    for match in _INVEST_IN.finditer(text):
        target = match.group("target").lower()
        if target in names or target.split()[0] in names:
            return EQUITY_COMMITMENT
    return None


def clause_of(sentence: str, start: int, end: int) -> str:
    """The clause of the sentence holding the amount at [start, end), verbatim."""
    low, high = 0, len(sentence)
    for match in _CLAUSE_BREAK.finditer(sentence):
        if match.end() <= start:
            low = match.end()
        elif match.start() >= end:
            high = match.start()
            break
    return sentence[low:high].strip().rstrip(",;")
