"""Qt-free core: API client, number pipeline, storage. Nothing here may import Qt."""
