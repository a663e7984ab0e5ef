"""ISA Matchmaker: German x Chinese partner recommendations for the Chinese-German Industrial Cities Alliance."""

from matchmaker.errors import MatchmakerError

__all__ = ["MatchmakerError"]
__version__ = "0.1.0"
