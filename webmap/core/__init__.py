"""What every capability uses: settings, errors, the incident model and vocabulary, languages, caching,
security headers, request limits and incident columns. Imports nothing from the rest of webmap."""
