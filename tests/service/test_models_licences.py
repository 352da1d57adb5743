"""``GET /v1/models`` publishes each model's data licences and whether it may be used commercially."""

from __future__ import annotations


def test_models_route_includes_data_licences_and_commercial_use(make_client):
    client = make_client(run=False)
    r = client.get("/v1/models")
    assert r.status_code == 200
    d = {m["name"]: m for m in r.json()}
    assert d["physio-stress-e4"]["data_licences"] == ["MIT"]
    assert d["physio-stress-e4"]["commercial_use"] is True
    assert d["text-minilm-goemotions"]["commercial_use"] is True
    assert d["face-cnn-fer"]["commercial_use"] is False
    assert d["speech-whisper-ser"]["data_licences"] == ["CC-BY-NC-SA-4.0", "CC-BY-NC-ND-4.0"]
    for m in d.values():
        assert isinstance(m["commercial_use"], bool)
        assert m["data_licences"]
