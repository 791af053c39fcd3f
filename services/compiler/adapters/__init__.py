"""The compiler's repositories over MongoDB."""
