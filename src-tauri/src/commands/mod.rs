//! Tauri commands, one module per domain. Each is a one-line adapter to `maeul_api::Desk`.

pub mod admin;
pub mod budget;
pub mod console;
pub mod dashboard;
pub mod dispatch;
pub mod groups;
pub mod programs;
pub mod registry;
pub mod session;

use tauri::State;

use crate::state::AppState;

pub type Desk<'a> = State<'a, AppState>;
