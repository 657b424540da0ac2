"""Tests for Micboard."""
