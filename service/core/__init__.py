"""The channel-free core: content, languages, meaning, and the dialogues of each kind of channel."""
