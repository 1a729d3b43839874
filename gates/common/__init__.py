"""What several gates need, written once. A gate never imports another gate."""
