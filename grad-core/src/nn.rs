//! The book's layers over arrays, usable by hand (feature `ndarray`).
