"""Gap impact arithmetic without a database: open deals blocked + ACV lost where the gap was a
reason, each deal once, currencies never mixed."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from techwin.feedback import impact as arithmetic
from techwin.feedback.impact import DealFact


def _open(deal_id: int, acv: str | None, currency: str = "USD") -> DealFact:
    return DealFact(deal_id, Decimal(acv) if acv else None, currency, False, False, False)


def _lost(deal_id: int, acv: str, *, because: bool = True, currency: str = "USD") -> DealFact:
    return DealFact(deal_id, Decimal(acv), currency, True, False, because)


def _won(deal_id: int, acv: str) -> DealFact:
    return DealFact(deal_id, Decimal(acv), "USD", True, True, True)


def test_impact_is_open_acv_blocked_plus_acv_lost_to_the_gap():
    found = arithmetic.impact_of(
        [
            _open(1, "100000"),
            _open(2, "50000.50"),
            _lost(3, "80000"),
            _lost(4, "999999", because=False),  # lost for other reasons: not counted
            _won(5, "70000"),  # won despite the gap: not counted
        ]
    )
    assert found.blocked == {"USD": Decimal("150000.50")}
    assert found.lost == {"USD": Decimal("80000")}
    assert found.total("USD") == Decimal("230000.50")
    assert (found.open_deals, found.lost_deals, found.other_deals) == (2, 1, 2)
    assert found.deals == 3


def test_a_deal_counts_once_even_when_linked_twice():
    found = arithmetic.impact_of([_open(1, "100000"), _open(1, "100000")])
    assert found.total("USD") == Decimal("100000")
    assert found.open_deals == 1


def test_a_deal_several_gaps_block_is_held_up_once_in_the_total():
    gap_a = [_open(1, "100000"), _lost(2, "40000")]
    gap_b = [_open(1, "100000"), _lost(2, "40000", because=False), _open(3, "10000")]
    assert arithmetic.impact_of(gap_a).total("USD") == Decimal("140000")
    assert arithmetic.impact_of(gap_b).total("USD") == Decimal("110000")
    together = arithmetic.impact_of(gap_a + gap_b)
    assert together.total("USD") == Decimal("150000")  # not 250000
    assert together.lost_deals == 1  # a loss reason for any gap counts as lost once


def test_a_deal_without_acv_counts_as_a_deal_but_adds_nothing():
    found = arithmetic.impact_of([_open(1, None), _open(2, "20000")])
    assert found.open_deals == 2
    assert found.total("USD") == Decimal("20000")


def test_currencies_are_summed_apart_and_never_converted():
    found = arithmetic.impact_of(
        [_open(1, "100000"), _open(2, "90000", currency="EUR"), _lost(3, "5000", currency="EUR")]
    )
    assert found.totals == {"USD": Decimal("100000"), "EUR": Decimal("95000")}
    assert found.total("USD") == Decimal("100000")
    assert found.others("USD") == {"EUR": Decimal("95000")}
    assert found.total("GBP") == Decimal("0.00")


def test_the_ranking_currency_is_where_most_of_the_impact_is():
    usd = arithmetic.impact_of([_open(1, "100000")])
    eur = arithmetic.impact_of([_open(2, "150000", currency="EUR")])
    assert arithmetic.ranking_currency([usd, eur]) == "EUR"
    small = arithmetic.impact_of([_open(3, "40000")])
    assert arithmetic.ranking_currency([usd, small, eur]) == "EUR"  # 140,000 USD < 150,000 EUR
    assert arithmetic.ranking_currency([usd, usd, eur]) == "USD"  # amounts, not gap counts
    assert arithmetic.ranking_currency([]) == "USD"


def test_rank_by_amount_then_deals_then_severity():
    big = arithmetic.impact_of([_open(1, "200000")])
    two_deals = arithmetic.impact_of([_open(2, "50000"), _open(3, "50000")])
    one_deal = arithmetic.impact_of([_open(4, "100000")])
    keys = {
        "big": arithmetic.rank_key(big, currency="USD", severity_rank=2),
        "two": arithmetic.rank_key(two_deals, currency="USD", severity_rank=2),
        "one": arithmetic.rank_key(one_deal, currency="USD", severity_rank=0),
    }
    assert sorted(keys, key=keys.__getitem__) == ["big", "two", "one"]
    breaker = arithmetic.rank_key(one_deal, currency="USD", severity_rank=0)
    minor = arithmetic.rank_key(one_deal, currency="USD", severity_rank=2)
    assert breaker < minor


deal_facts = st.builds(
    DealFact,
    deal_id=st.integers(1, 8),
    acv=st.one_of(st.none(), st.decimals(0, 10_000_000, places=2)),
    currency=st.sampled_from(["USD", "EUR"]),
    is_closed=st.booleans(),
    is_won=st.booleans(),
    lost_because=st.booleans(),
)


@given(st.lists(deal_facts, max_size=20))
def test_no_deal_counts_twice_and_totals_add_up(facts):
    found = arithmetic.impact_of(facts)
    assert found.open_deals + found.lost_deals + found.other_deals == len(
        {f.deal_id for f in facts}
    )
    for currency, total in found.totals.items():
        assert total == found.blocked.get(currency, 0) + found.lost.get(currency, 0)
        assert total >= 0
