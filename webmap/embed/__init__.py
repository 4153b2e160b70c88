"""Embeds: their parameters, pinning to a data version, the iframe snippet and oEmbed answers."""
