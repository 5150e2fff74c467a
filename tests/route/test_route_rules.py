"""The route day's pure rules: a stop's state, what an outcome needs, the suggested order."""

import random
from datetime import date, time
from itertools import pairwise

from app.clients.visit_plan import Window
from app.route.rules import Place, distance_km, outcome_problems, stop_state, suggest_order

TODAY = date(2027, 1, 4)


def test_a_stop_state_comes_from_its_outcome_and_an_order_taken_that_day():
    assert stop_state(None, 0) == ("pending", None)
    assert stop_state("skipped", 0) == ("skipped", "skipped")
    assert stop_state("no_order", 0) == ("visited", "no_order")
    assert stop_state("collected", 0) == ("visited", "collected")
    # an order that day wins over a skip or a "no order" recorded before it
    assert stop_state("skipped", 1) == ("visited", "order")
    assert stop_state(None, 2) == ("visited", "order")


def test_outcomes_that_need_a_reason_and_reasons_that_do_not_fit():
    assert outcome_problems("order", None, TODAY, TODAY) == {}
    assert outcome_problems("collected", None, TODAY, TODAY) == {}
    assert outcome_problems("no_order", "no_order", TODAY, TODAY) == {}
    assert outcome_problems("skipped", "both", TODAY, TODAY) == {}
    assert outcome_problems("no_order", None, TODAY, TODAY) == {"reason_id": "reason_missing"}
    assert outcome_problems("skipped", "no_order", TODAY, TODAY) == {"reason_id": "reason_kind"}
    assert outcome_problems("order", "both", TODAY, TODAY) == {"reason_id": "reason_unwanted"}
    assert outcome_problems("visited", None, TODAY, TODAY) == {"outcome": "outcome"}


def test_an_outcome_of_tomorrow_or_of_long_ago_is_refused():
    assert outcome_problems("order", None, date(2027, 1, 5), TODAY) == {"date": "future"}
    assert outcome_problems("order", None, date(2026, 12, 4), TODAY) == {"date": "too_old"}
    assert outcome_problems("order", None, date(2026, 12, 5), TODAY) == {}


def _line(n, shuffle_seed=None):
    """Stops on a north-south line 1.1 km apart, key = distance rank from the first."""
    places = [Place(i, -34.60 - 0.01 * i, -58.40) for i in range(n)]
    if shuffle_seed is not None:
        rest = places[1:]
        random.Random(shuffle_seed).shuffle(rest)
        places = [places[0], *rest]
    return places


def test_stops_on_a_line_are_ordered_along_it_from_the_first_stop():
    for seed in range(5):
        assert suggest_order(_line(9, seed)) == list(range(9))


def test_from_the_phone_s_position_the_route_starts_at_the_nearest_end():
    far_south = (-34.60 - 0.01 * 20, -58.40)
    assert suggest_order(_line(6, 1), start=far_south) == [5, 4, 3, 2, 1, 0]


def test_2_opt_untangles_a_crossing_on_a_square():
    # corners of a ~1 km square given in a crossing order: 0 (NW), 2 (SE), 1 (NE), 3 (SW)
    nw, ne, se, sw = (-34.60, -58.40), (-34.60, -58.39), (-34.61, -58.39), (-34.61, -58.40)
    places = [Place(0, *nw), Place(2, *se), Place(1, *ne), Place(3, *sw)]
    order = suggest_order(places)
    points = {0: nw, 1: ne, 2: se, 3: sw}
    length = sum(distance_km(points[a], points[b]) for a, b in pairwise(order))
    assert order[0] == 0 and order in ([0, 1, 2, 3], [0, 3, 2, 1])
    assert length < 3.4


def test_a_stop_whose_window_closes_early_goes_first_even_when_it_is_far():
    places = _line(8)
    early = Window(time(8, 0), time(8, 40))
    places[7] = Place(7, places[7].latitude, places[7].longitude, early)
    order = suggest_order(places, start_at=time(8, 0))
    assert order[:2] == [0, 7]  # the first stop stays first, then straight to the window
    assert sorted(order) == list(range(8))


def test_stops_without_coordinates_keep_their_order_at_the_end():
    places = [Place(10, None, None), *_line(4, 2), Place(11, None, None)]
    order = suggest_order(places)
    assert order == [0, 1, 2, 3, 10, 11]


def test_a_window_already_closed_when_the_tour_starts_does_not_pull_its_stop_forward():
    places = _line(8)
    morning = Window(time(8, 0), time(8, 40))
    places[7] = Place(7, places[7].latitude, places[7].longitude, morning)
    assert suggest_order(places, start_at=time(15, 0)) == list(range(8))


def test_a_very_long_day_is_still_ordered_as_a_whole_within_the_improvement_budget():
    rng = random.Random(3)
    places = [Place(k, -34.6 + rng.random() / 10, -58.4 + rng.random() / 10) for k in range(600)]
    order = suggest_order(places)
    assert sorted(order) == list(range(600))
    assert order[0] == 0
    walked = sum(distance_km(_at(places, a), _at(places, b)) for a, b in pairwise(order))
    given = sum(distance_km(_at(places, a), _at(places, b)) for a, b in pairwise(range(600)))
    assert walked < given / 3  # nearest neighbour at least, far shorter than the list's order


def _at(places: list[Place], key: int) -> tuple[float, float]:
    return places[key].latitude, places[key].longitude
