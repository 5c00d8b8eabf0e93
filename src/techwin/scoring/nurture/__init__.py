"""Nurturing: tiers by score, sequences of steps, and the tasks they give lead owners."""

from techwin.scoring.nurture import listeners as _listeners  # noqa: F401 - stops sequences
