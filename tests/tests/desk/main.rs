//! Cross-crate tests of the desk's use cases, one binary (see ripgrep's tests/tests.rs).

// Pledge cards: who may read, edit and print; drafts; old → new in the audit log.
mod budget;
// Shared set-up: desks with the demo structure and a few residents.
mod fixtures;
// Every file of tests/corpus/registry imported: the expected problems, the DB unchanged.
mod import_corpus;
// Living lab and chief training: demo figures, practice mode, check-in, calendar clashes.
mod programs;
// Every registry use case × every role: exactly the allowed set succeeds.
mod role_matrix;
// The demo registry exported to .xlsx and CP949 .csv and imported back, and the audit chain.
mod round_trip;
