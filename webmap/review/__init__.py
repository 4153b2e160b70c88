"""Review before publishing: who waits for review, who sees what waits, and the editor's decisions."""
