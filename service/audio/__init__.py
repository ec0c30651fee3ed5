"""Read-aloud audio: clips on disk, the engines that make them, the build."""
