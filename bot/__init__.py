"""Haven: a peer-support companion bot for Discord communities."""

__version__ = "0.1.0"
SOURCE_URL = "https://github.com/haven-bot/haven"
