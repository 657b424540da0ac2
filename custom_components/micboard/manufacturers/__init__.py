"""Manufacturer backends: Home-Assistant-free asyncio clients for wireless receivers."""
