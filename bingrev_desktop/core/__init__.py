"""Qt-free core: request validation, crop maths, response parsing, the API client."""
