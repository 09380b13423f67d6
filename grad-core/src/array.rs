//! `grad!` over ndarray arrays: the layers the expansion of an array
//! formula calls (feature `ndarray`).
