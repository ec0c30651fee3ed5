"""The phone menu: typed positions, decisions, speech understanding, and a walk of every turn."""
