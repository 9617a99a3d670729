"""Scenario files: the built-ins load, invalid files are refused with a useful message,
actors can be added by data alone, overrides are checked, and nothing in a file is executed."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from model import EscalationModel, ScenarioError, ScenarioSpec, list_scenarios, load_scenario
from world.scenario import builtin_dir

BUILTINS = (
    "baseline",
    "sanctions_only",
    "arms_now",
    "freeze_deal",
    "nato_moratorium",
    "energy_diversified",
    "divided_west",
    "invasion_not_viable",
    "closing_window",
)
# One parameter each non-baseline scenario is documented to change, with its new value.
SIGNATURE_CHANGE = {
    "sanctions_only": ("sanction_threat_tier", 5),
    "arms_now": ("major_systems", True),
    "freeze_deal": ("freeze_deal", True),
    "nato_moratorium": ("nato_moratorium", True),
    "energy_diversified": ("lng_alternatives", 0.7),
    "divided_west": ("eu_consensus_quantile", 0.0),
    "invasion_not_viable": ("troops_for_even_odds", 200000.0),
    "closing_window": ("weekly_discount", 0.96),
}


def write(tmp_path, text, name="scenario.toml"):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def refused(source, *fragments):
    """Loading ``source`` raises ScenarioError whose message contains every fragment."""
    with pytest.raises(ScenarioError) as caught:
        load_scenario(source)
    message = str(caught.value)
    for fragment in fragments:
        assert str(fragment) in message, f"{fragment!r} not in {message!r}"
    return message


def same_parameters(first: ScenarioSpec, second: ScenarioSpec) -> bool:
    return (
        first.world == second.world
        and first.invasion_calculus == second.invasion_calculus
        and first.policy == second.policy
        and first.actors == second.actors
    )


# --- built-in scenarios -----------------------------------------------------------------------


def test_list_scenarios_names_exactly_the_builtins():
    assert set(list_scenarios()) == set(BUILTINS)


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_scenario_loads_under_its_own_name(name):
    spec = load_scenario(name)
    assert isinstance(spec, ScenarioSpec)
    assert spec.name == name


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_scenario_has_a_one_line_description(name):
    description = list_scenarios()[name]
    assert description.strip()
    assert "\n" not in description
    assert load_scenario(name).description.strip() == description


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_scenario_builds_a_model(name):
    model = EscalationModel(name, rng=0, weeks=2)
    assert model.spec.name == name
    assert len(model.actors) == len(model.spec.actors)


def test_baseline_cast_and_calendar_come_from_its_file():
    spec = load_scenario("baseline")
    names = {p.name for p in spec.actors}
    assert {"Russia", "Ukraine", "United States", "Germany", "EU", "United Kingdom"} <= names
    assert {"Poland", "Lithuania", "Latvia", "Estonia", "Romania", "France"} <= names
    assert str(spec.world.start_date) == "2021-11-01"
    assert spec.world.weeks == 26


@pytest.mark.parametrize("name", [n for n in BUILTINS if n != "baseline"])
def test_each_alternative_scenario_differs_from_baseline(name):
    base = load_scenario("baseline").parameter_values()
    values = load_scenario(name).parameter_values()
    assert values != base
    key, expected = SIGNATURE_CHANGE[name]
    assert values[key] == expected != base[key]


@pytest.mark.parametrize("name", BUILTINS)
def test_builtin_loaded_by_path_equals_builtin_loaded_by_name(name):
    by_path = load_scenario(builtin_dir() / f"{name}.toml")
    assert same_parameters(by_path, load_scenario(name))


# --- validation: every refusal names the file, the field and what is allowed -----------------


def test_not_toml_is_refused(tmp_path):
    path = write(tmp_path, "this is = = not toml\n")
    refused(path, path, "not valid TOML")


def test_non_utf8_bytes_are_refused(tmp_path):
    path = write(tmp_path, b'description = "caf\xe9"\n')
    refused(path, path, "UTF-8")


def test_empty_file_is_refused(tmp_path):
    """An empty file is more likely a mistake (a failed copy, a wrong path) than a scenario."""
    path = write(tmp_path, "# nothing here\n", name="nothing_changed.toml")
    refused(path, path, "empty scenario")


def test_a_name_alone_is_baseline_under_that_name(tmp_path):
    path = write(tmp_path, 'description = "as it was"\n', name="nothing_changed.toml")
    spec = load_scenario(path)
    assert spec.name == "nothing_changed"
    assert spec.description == "as it was"
    assert same_parameters(spec, load_scenario("baseline"))


def test_unknown_top_level_key_is_refused(tmp_path):
    path = write(tmp_path, 'colour = "red"\n')
    refused(path, path, "'colour'", "allowed", "extends", "remove_actors", "world")


def test_unknown_world_field_is_refused(tmp_path):
    path = write(tmp_path, "[world]\nfoo = 1.0\n")
    refused(path, path, "world", "'foo'", "allowed", "misperception")


def test_unknown_actor_field_is_refused(tmp_path):
    path = write(tmp_path, "[actors.Germany]\nwingspan = 3.0\n")
    refused(path, path, "actors.Germany", "'wingspan'", "allowed", "gas_import_share")


def test_actor_name_cannot_be_set_as_a_field(tmp_path):
    path = write(tmp_path, '[actors.Germany]\nname = "Prussia"\n')
    refused(path, path, "actors.Germany", "'name'")


def test_string_for_a_float_is_refused(tmp_path):
    path = write(tmp_path, '[world]\nmisperception = "high"\n')
    refused(path, path, "world.misperception", "expected a number", "str")


def test_float_for_a_bool_is_refused(tmp_path):
    path = write(tmp_path, "[world]\nprospect_theory = 1.0\n")
    refused(path, path, "world.prospect_theory", "true or false")


def test_bool_for_a_number_is_refused(tmp_path):
    path = write(tmp_path, "[world]\nmisperception = true\n")
    refused(path, path, "world.misperception", "expected a number", "bool")


def test_bool_for_a_whole_number_is_refused(tmp_path):
    path = write(tmp_path, "[world]\nweeks = true\n")
    refused(path, path, "world.weeks", "whole number")


def test_fraction_for_a_whole_number_is_refused(tmp_path):
    path = write(tmp_path, "[policy]\nsanction_threat_tier = 2.5\n")
    refused(path, path, "policy.sanction_threat_tier", "whole number")


def test_whole_float_for_an_integer_field_is_accepted_as_int(tmp_path):
    path = write(tmp_path, "[policy]\nsanction_threat_tier = 3.0\n")
    tier = load_scenario(path).policy.sanction_threat_tier
    assert tier == 3
    assert type(tier) is int


def test_datetime_for_the_start_date_is_refused(tmp_path):
    path = write(tmp_path, "[world]\nstart_date = 2021-11-01T00:00:00\n")
    refused(path, path, "world.start_date", "2021-11-01")


def test_out_of_range_world_value_is_refused(tmp_path):
    path = write(tmp_path, "[world]\nmisperception = 2.0\n")
    refused(path, path, "world.misperception", "out of range", "0.0 to 1.0")


def test_out_of_range_actor_value_is_refused(tmp_path):
    path = write(tmp_path, "[actors.Germany]\nresolve = 1.5\n")
    refused(path, path, "actors.Germany.resolve", "out of range", "0.0 to 1.0")


def test_zero_week_horizon_is_refused(tmp_path):
    path = write(tmp_path, "[world]\nweeks = 0\n")
    refused(path, path, "world.weeks", "1 to 520")


@pytest.mark.parametrize(
    ("section", "field", "literal"),
    [
        ("world", "misperception", "nan"),
        ("invasion_calculus", "stake", "inf"),
        ("invasion_calculus", "stake", "-inf"),
        ("policy", "arms_aid", "+nan"),
    ],
)
def test_non_finite_number_is_refused(tmp_path, section, field, literal):
    path = write(tmp_path, f"[{section}]\n{field} = {literal}\n")
    refused(path, path, f"{section}.{field}", "finite")


def test_infinite_whole_number_is_refused(tmp_path):
    path = write(tmp_path, "[world]\nweeks = inf\n")
    refused(path, path, "world.weeks", "whole number")


def test_section_that_is_not_a_table_is_refused(tmp_path):
    path = write(tmp_path, "world = 3\n")
    refused(path, path, "'world'", "table")


def test_non_string_description_is_refused(tmp_path):
    path = write(tmp_path, "description = 3\n")
    refused(path, path, "'description'", "string")


def test_removing_an_unknown_actor_is_refused(tmp_path):
    path = write(tmp_path, 'remove_actors = ["Italy"]\n')
    refused(path, path, "remove_actors", "'Italy'", "known", "Russia", "Germany")


def test_removing_the_challenger_is_refused(tmp_path):
    path = write(tmp_path, 'remove_actors = ["Russia"]\n')
    refused(path, path, "challenger")


def test_removing_an_actor_drops_it_everywhere(tmp_path):
    path = write(tmp_path, 'remove_actors = ["Latvia"]\n')
    model = EscalationModel(path, rng=1, weeks=2).run()
    assert "Latvia" not in {p.name for p in model.spec.actors}
    assert "Latvia" not in set(model.history()["agents"]["actor"])
    assert "Latvia" not in model.alliance.graph


def test_new_actor_without_role_is_refused(tmp_path):
    path = write(tmp_path, "[actors.Italy]\nnato = true\n")
    refused(path, path, "actors.Italy", "'role'", "challenger, target, state, union")


def test_new_actor_with_unknown_role_is_refused(tmp_path):
    path = write(tmp_path, '[actors.Italy]\nrole = "ally"\n')
    refused(path, path, "actors.Italy.role", "'ally'", "challenger, target, state, union")


def test_second_challenger_is_refused(tmp_path):
    path = write(tmp_path, '[actors.Belarus]\nrole = "challenger"\n')
    refused(path, path, "challenger")


def test_duplicate_actor_table_is_refused(tmp_path):
    path = write(tmp_path, '[actors.Italy]\nrole = "state"\n\n[actors.Italy]\nrole = "state"\n')
    refused(path, path, "not valid TOML", "Italy")


def test_extends_cycle_is_refused(tmp_path):
    first, second = tmp_path / "a.toml", tmp_path / "b.toml"
    first.write_text(f'extends = "{second}"\n', encoding="utf-8")
    second.write_text(f'extends = "{first}"\n', encoding="utf-8")
    refused(first, first, second, "'extends'", "cycle")


def test_scenario_extending_itself_is_refused(tmp_path):
    path = tmp_path / "self.toml"
    path.write_text(f'extends = "{path}"\n', encoding="utf-8")
    refused(path, path, "'extends'", "cycle")


def test_extends_unknown_scenario_names_it_and_the_builtins(tmp_path):
    path = write(tmp_path, 'extends = "nonesuch"\n')
    refused(path, "'nonesuch'", *BUILTINS)


def test_extends_unknown_scenario_names_the_file(tmp_path):
    path = write(tmp_path, 'extends = "nonesuch"\n')
    refused(path, path, "extends")


def test_extends_a_file_by_absolute_path(tmp_path):
    parent = write(tmp_path, "[world]\nmisperception = 0.4\n", name="parent.toml")
    child = write(tmp_path, f'extends = "{parent}"\n[policy]\narms_aid = 0.9\n', name="child.toml")
    spec = load_scenario(child)
    assert spec.world.misperception == 0.4
    assert spec.policy.arms_aid == 0.9
    assert spec.actors == load_scenario("baseline").actors


def test_extends_a_builtin_inherits_its_changes(tmp_path):
    path = write(tmp_path, 'extends = "freeze_deal"\n[world]\nmisperception = 0.2\n')
    spec = load_scenario(path)
    assert spec.policy.freeze_deal is True
    assert spec.world.misperception == 0.2


def test_extends_a_sibling_file_by_relative_path(tmp_path, monkeypatch):
    write(tmp_path, "[world]\nmisperception = 0.4\n", name="parent.toml")
    child = write(tmp_path, 'extends = "parent.toml"\n', name="child.toml")
    monkeypatch.chdir(tmp_path.parent)
    assert load_scenario(child).world.misperception == 0.4


# --- adding an actor by data alone -----------------------------------------------------------

ITALY = """\
extends = "baseline"
name = "with_italy"
description = "Baseline plus Italy as a NATO and EU member."

[actors.Italy]
role = "state"
nato = true
eu = true
gas_import_share = 0.4
gas_storage = 0.7
gas_volume = 29.0
economic_weight = 2.1
resolve = 0.5
"""


@pytest.fixture
def italy_model(tmp_path):
    return EscalationModel(write(tmp_path, ITALY, name="with_italy.toml"), rng=3, weeks=4)


def test_new_nato_member_is_an_actor_in_every_week(italy_model):
    agents = italy_model.run().history()["agents"]
    italy = agents[agents["actor"] == "Italy"]
    assert list(italy["week"]) == [0, 1, 2, 3, 4]
    assert set(italy["role"]) == {"state"}


def test_new_nato_member_is_in_the_alliance_graph(italy_model):
    graph = italy_model.alliance.graph
    nato_states = [p.name for p in italy_model.spec.actors if p.nato and p.role == "state"]
    for ally in nato_states:
        if ally != "Italy":
            assert graph.has_edge("Italy", ally, key="nato_ally"), ally
    assert graph.has_edge("Italy", "EU", key="eu_member")
    assert graph.has_edge("Russia", "Italy", key="adversary")
    assert graph.has_edge("Russia", "Italy", key="energy_supply")
    assert graph.edges["Russia", "Italy", "energy_supply"]["contract"] == 29.0
    assert not graph.has_edge("Italy", "Ukraine", key="security_partner")


def test_new_eu_member_joins_the_union(italy_model):
    assert "Italy" in [m.name for m in italy_model.union.members]
    assert "Italy" in [a.name for a in italy_model.western]


def test_new_actor_can_be_overridden_by_its_slug(tmp_path):
    path = write(tmp_path, ITALY, name="with_italy.toml")
    assert load_scenario(path, italy_resolve=0.8).actor("Italy").resolve == 0.8


def test_new_actor_gets_schema_defaults_for_unset_fields(tmp_path):
    italy = load_scenario(write(tmp_path, ITALY)).actor("Italy")
    defaults = {f.name: f.default for f in dataclasses.fields(italy)}
    assert italy.loss_aversion == defaults["loss_aversion"]
    assert italy.security_partner is False


# --- overrides -----------------------------------------------------------------------------


def test_world_override_changes_only_that_value():
    base = load_scenario("baseline")
    spec = load_scenario("baseline", misperception=0.3)
    assert spec.world.misperception == 0.3
    assert dataclasses.replace(spec.world, misperception=base.world.misperception) == base.world
    assert spec.actors == base.actors


def test_actor_override_changes_only_that_actor():
    base = load_scenario("baseline")
    spec = load_scenario("baseline", russia_risk_attitude=0.5)
    assert spec.actor("Russia").risk_attitude == 0.5
    assert [p for p in spec.actors if p.name != "Russia"] == [
        p for p in base.actors if p.name != "Russia"
    ]


def test_override_of_actor_with_a_space_in_its_name():
    spec = load_scenario("baseline", united_states_resolve=0.2)
    assert spec.actor("United States").resolve == 0.2


def test_policy_and_calculus_overrides():
    spec = load_scenario("baseline", freeze_deal=True, troops_for_even_odds=150000)
    assert spec.policy.freeze_deal is True
    assert spec.invasion_calculus.troops_for_even_odds == 150000.0


def test_override_applies_on_top_of_a_scenario():
    spec = load_scenario("divided_west", germany_resolve=0.9)
    assert spec.actor("Germany").resolve == 0.9
    assert spec.world.eu_consensus_quantile == 0.0


def test_override_on_a_loaded_spec():
    spec = load_scenario("baseline")
    changed = load_scenario(spec, misperception=0.05)
    assert changed.world.misperception == 0.05
    assert spec.world.misperception == 0.15


def test_overrides_do_not_leak_into_later_loads():
    load_scenario("baseline", misperception=0.9, russia_resolve=0.1)
    spec = load_scenario("baseline")
    assert spec.world.misperception == 0.15
    assert spec.actor("Russia").resolve == 0.8


@pytest.mark.parametrize(
    "name", ["no_such_knob", "russia_wingspan", "italy_resolve", "germany_role", "russia_name"]
)
def test_unknown_override_raises_value_error_naming_it(name):
    with pytest.raises(ValueError, match=name):
        load_scenario("baseline", **{name: 0.5})


@pytest.mark.parametrize(
    ("name", "value"),
    [("misperception", 1.5), ("russia_risk_attitude", -2.0), ("weeks", 0), ("coldest_day", 400)],
)
def test_out_of_range_override_raises(name, value):
    with pytest.raises(ScenarioError, match=f"{name}.*out of range"):
        load_scenario("baseline", **{name: value})


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("misperception", float("nan")),
        ("misperception", "0.3"),
        ("misperception", True),
        ("freeze_deal", 1),
        ("weeks", 2.5),
    ],
)
def test_badly_typed_override_raises(name, value):
    with pytest.raises(ScenarioError, match=name):
        load_scenario("baseline", **{name: value})


def test_numpy_scalar_overrides_are_accepted_as_python_values():
    spec = load_scenario(
        "baseline",
        misperception=np.float64(0.3),
        weeks=np.int64(5),
        freeze_deal=np.bool_(True),
        russia_risk_attitude=np.float32(0.5),
    )
    assert spec.world.misperception == 0.3
    assert type(spec.world.misperception) is float
    assert spec.world.weeks == 5
    assert type(spec.world.weeks) is int
    assert spec.policy.freeze_deal is True
    assert spec.actor("Russia").risk_attitude == 0.5


# --- scenarios are data, never code ----------------------------------------------------------


def test_nothing_in_a_scenario_is_executed(tmp_path):
    marker = tmp_path / "PWNED"
    payload = f"__import__('os').system('touch {marker}')"
    path = write(
        tmp_path,
        f'name = "{payload}"\n'
        f'description = "{payload}"\n'
        f'[actors."{payload[:55]}"]\n'
        'role = "state"\n',
    )
    spec = load_scenario(path)
    assert spec.description == payload
    assert spec.name == payload
    model = EscalationModel(spec, rng=0, weeks=2).run()
    model.history()
    assert payload[:55] in model.actors
    assert not marker.exists()


def test_an_edited_file_is_read_afresh_though_loads_are_cached(tmp_path):
    path = write(tmp_path, "[world]\nmisperception = 0.2\n")
    assert load_scenario(path).world.misperception == 0.2
    write(tmp_path, "[world]\nmisperception = 0.3\n")  # same size, within the clock's tick
    assert load_scenario(path).world.misperception == 0.3


def test_a_builtin_name_is_served_from_memory_after_its_first_load(monkeypatch):
    import world.scenario as scenario

    first = load_scenario("freeze_deal")

    def from_disk(*args):
        raise AssertionError("a built-in scenario was looked up on disk again")

    monkeypatch.setattr(scenario, "_locate", from_disk)
    assert load_scenario("freeze_deal") is first
    assert load_scenario("freeze_deal", misperception=0.1).world.misperception == 0.1


def test_an_edited_parent_is_read_afresh(tmp_path):
    write(tmp_path, "[world]\nmisperception = 0.2\n", name="parent.toml")
    child = write(tmp_path, 'extends = "parent.toml"\n', name="child.toml")
    assert load_scenario(child).world.misperception == 0.2
    write(tmp_path, "[world]\nmisperception = 0.4\n", name="parent.toml")
    assert load_scenario(child).world.misperception == 0.4


def test_a_file_made_invalid_after_loading_is_refused(tmp_path):
    path = write(tmp_path, "[world]\nmisperception = 0.2\n")
    load_scenario(path)
    write(tmp_path, "[world]\nmisperception = 2.0\n")
    refused(path, "world.misperception", "out of range")
