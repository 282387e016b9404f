//! The budget crate's tests, one binary (see ripgrep's tests/tests.rs).

// Every arithmetic check fires on a crafted bad card, naming the cell; the seed card passes.
mod checks;
// The printed demo card read back with pdftotext: title, number, every figure, page count.
mod printed;
