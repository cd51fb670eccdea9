"""proxyservice: makes preview images (proxies) of stored files."""
