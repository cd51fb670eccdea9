"""Deciding a file's media type from what its content and its name say."""

GENERIC = frozenset({"application/octet-stream", "application/x-empty", "inode/x-empty"})


def decide_mimetype(sniffed: str | None, guessed: str | None) -> str:
    """The media type to give plugins.

    The content decides (a ``.txt`` file that is really HTML is HTML), unless
    it only says "some bytes" or "some text": then the extension's more
    specific guess (``text/css`` for ``.css``) is used, if it agrees on text.

    Parameters
    ----------
    sniffed
        What libmagic read in the content.
    guessed
        What the file name's extension suggests.
    """
    if not sniffed or sniffed in GENERIC:
        return guessed or "application/octet-stream"
    if sniffed == "text/plain" and guessed and guessed.startswith("text/"):
        return guessed
    return sniffed
