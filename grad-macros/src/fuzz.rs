//! Fuzzing the expansion outside the compiler.
