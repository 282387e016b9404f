//! Cross-crate tests of the desk's use cases, one binary (see ripgrep's tests/tests.rs).

// 문자로 받기 우선 and preferred languages: extra texts, translations per delivery.
mod accessibility;
// CAP 1.2 out of every broadcast; CAP alerts in as drafts for the villages they cover.
mod alerts;
// Accounts and the audit chain against someone holding the database file.
mod accounts;
// Pledge cards: who may read, edit and print; drafts; old → new in the audit log.
mod budget;
// The broadcast console: who goes on air where, recordings imported, attached, recovered,
// and the live console recording from its test signal.
mod console;
// Disaster drafts on the loudspeakers: the alarm recording by hand, with a send, or by itself.
mod alarm;
// Broadcasts: a chief's scope, forms by field, approval, quiet hours, practice, not-reached.
mod dispatch;
// The office database's PostgreSQL schema against SQLite's, on a throwaway server.
mod engines;
// One query API on both engines: binds, NULLs, VALUES, transactions, pooled connections.
mod queries;
// Two desks on one file and on one server: edits seen, stale saves refused, one audit chain.
mod two_desks;
// The office server going away mid-send: 'server unreachable', the console on air, resumed.
mod server_away;
// Escalation ladders: texts, then chiefs' call lists, for households that did not confirm.
mod escalation;
// Shared set-up: desks with the demo structure and a few residents.
mod fixtures;
// The office's subscriber groups: fields, roles, membership, and broadcasts to them.
mod groups;
// Frequent messages: kept by operators, filled in by every sender, versioned.
mod templates;
// The household reach ledger against hand-written deliveries; the dashboard built on it.
mod reach;
// Chief training: check-in, walk-ins, the checklist, the printed sign-in sheet.
mod training;
// Every file of tests/corpus/registry imported: the expected problems, the DB unchanged.
mod import_corpus;
// Living lab: the card's figures, practice mode never reaching a real provider, calendar clashes.
mod programs;
// Programme forms refused by field, and every programme use case × every role.
mod programs_roles;
// Every registry use case × every role: exactly the allowed set succeeds.
mod role_matrix;
// Which desks send (`dispatch.send_from`, the keyring's secret) and which only queue.
mod send_role;
// Every settings key × every role, whichever use case writes it.
mod settings_roles;
// The demo registry exported to .xlsx and CP949 .csv and imported back, and the audit chain.
mod round_trip;
// Two officials saving one record: versions and conflicts.
mod versions;
