//! Events the shell sends the window, typed for the UI like the commands.

use serde::{Deserialize, Serialize};

/// Something audited was committed on the office server (by any desk): the window asks
/// `changes_since` now instead of at its next poll. Only on a server desk.
#[derive(Debug, Clone, Serialize, Deserialize, specta::Type, tauri_specta::Event)]
pub struct OfficeChanged;
