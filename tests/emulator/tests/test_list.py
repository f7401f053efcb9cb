"""ListKeys: filters, ordering, pagination (reference section 3.9)."""

import uuid

import pytest

from emulator_helpers import Km


@pytest.fixture
def three_keys(km, km_emulator):
    keys = []
    for name, tags, algorithm in (("beta", ["env:test", "team:a"], "aes_256_gcm"), ("alpha", ["env:test"], "ec_p256_sha256"), ("gamma", [], "aes_256_gcm")):
        keys.append(km.create(algorithm, name=name, tags=tags))
        km_emulator.advance(1)
    return keys


def names(listing):
    return [key["name"] for key in listing["keys"]]


@pytest.mark.parametrize("order_by, expected", [
    ("name_asc", ["alpha", "beta", "gamma"]), ("name_desc", ["gamma", "beta", "alpha"]),
    ("created_at_asc", ["beta", "alpha", "gamma"]), ("created_at_desc", ["gamma", "alpha", "beta"]),
    (None, ["alpha", "beta", "gamma"]),
])
@pytest.mark.usefixtures("three_keys")
def test_order_by(km, order_by, expected):
    assert names(km.list(order_by=order_by)) == expected


def test_order_by_updated_at(km, km_emulator, three_keys):
    km_emulator.advance(1)
    km.action(three_keys[0], "disable")
    assert names(km.list(order_by="updated_at_asc")) == ["alpha", "gamma", "beta"]
    assert names(km.list(order_by="updated_at_desc")) == ["beta", "gamma", "alpha"]


@pytest.mark.usefixtures("three_keys")
def test_filter_by_exact_name(km):
    assert names(km.list(name="alpha")) == ["alpha"]
    assert km.list(name="alp") == {"keys": [], "total_count": 0}


@pytest.mark.usefixtures("three_keys")
def test_filter_by_tags_requires_all_of_them(km):
    assert names(km.list(tags="env:test")) == ["alpha", "beta"]
    assert names(km.list(tags=["env:test", "team:a"])) == ["beta"]


@pytest.mark.usefixtures("three_keys")
def test_filter_by_usage(km):
    assert names(km.list(usage="asymmetric_signing")) == ["alpha"]
    assert names(km.list(usage="symmetric_encryption")) == ["beta", "gamma"]


def test_scheduled_keys_listed_only_on_request(km, three_keys):
    km.call("DELETE", "/keys/%s" % three_keys[0]["id"])
    assert names(km.list()) == ["alpha", "gamma"]
    assert names(km.list(scheduled_for_deletion="true")) == ["beta"]


def test_pagination_is_one_based_with_total_count(km):
    for index in range(25):
        km.create(name="key-%02d" % index)
    first = km.list(page=1, page_size=10)
    assert (len(first["keys"]), first["total_count"]) == (10, 25)
    assert names(km.list(page=3, page_size=10)) == ["key-%02d" % index for index in range(20, 25)]
    assert km.list(page=4, page_size=10) == {"keys": [], "total_count": 25}


def test_default_page_size_is_20(km):
    for index in range(21):
        km.create(name="key-%02d" % index)
    listing = km.list()
    assert (len(listing["keys"]), listing["total_count"]) == (20, 21)
    assert len(km.list(page_size=100)["keys"]) == 21


def test_project_filter_and_organization_listing(km):
    other = Km(km.url, token=km.token)
    mine, theirs = km.create(), other.create()
    assert [key["id"] for key in km.list()["keys"]] == [mine["id"]]
    everything = km.ok("GET", "/keys", params={"organization_id": str(uuid.uuid4())})
    assert {key["id"] for key in everything["keys"]} == {mine["id"], theirs["id"]}


def test_list_is_per_region(km):
    km.create()
    assert km.ok("GET", "/keys", params={"project_id": km.project_id}, status=200)["total_count"] == 1
    assert km.call("GET", "/keys", params={"project_id": km.project_id}, region="pl-waw").json()["total_count"] == 0
