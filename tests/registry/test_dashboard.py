"""The dashboard: the groups of the user's area by type."""


def test_dashboard_counts_groups_by_type(client, operator, staf, groups):
    client.force_login(operator)
    response = client.get("/")
    assert response.context["jumlah"] == 2
    assert {t["jenis"].kode: t["jumlah"] for t in response.context["types"]} == {
        "DW": 1, "KT": 1
    }
    client.force_login(staf)
    assert client.get("/").context["jumlah"] == 3
