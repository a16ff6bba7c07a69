def test_home_shows_the_workspace_and_its_members(owner_client, workspace, manager):
    response = owner_client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Acme Studio" in body
    assert "manager@example.com" in body
