"""The compiler: district and provincial drafts from the latest reports, coverage from obligation events."""
