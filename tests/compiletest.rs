//! The compile errors of `grad!`, as the user sees them.
//!
//! Each file of `tests/ui/` holds one mistake (a few hold several, to show
//! that all errors of a body are reported together) and the `.stderr` next
//! to it is the exact diagnostic. Files in `tests/ui/pass/` must compile.
//! After a deliberate change to a message, regenerate the snapshots with
//! `TRYBUILD=overwrite cargo test --test compiletest` and review the diff.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
