"""Site-wide pieces: layout, language, dates, API tokens, the serve and demo commands."""
