//! The typed IPC surface: every command, collected for tauri-specta, which writes the
//! TypeScript bindings the UI imports (`ui/src/lib/bindings.ts`, committed).

use crate::commands::{
    admin, budget, console, dashboard, dispatch, groups, programs, registry, session,
};

pub fn specta_builder() -> tauri_specta::Builder<tauri::Wry> {
    tauri_specta::Builder::<tauri::Wry>::new()
        .events(tauri_specta::collect_events![crate::events::OfficeChanged])
        .commands(tauri_specta::collect_commands![
            session::app_info,
            session::setup_admin,
            session::login,
            session::changes_since,
            session::check_office_server,
            session::join_office_server,
            session::leave_office_server,
            session::logout,
            session::current_session,
            session::session_settings,
            registry::registry_stats,
            registry::list_towns,
            registry::list_villages,
            registry::update_village,
            registry::list_subscribers,
            registry::get_subscriber,
            registry::add_subscriber,
            registry::request_enrollment,
            registry::update_subscriber,
            registry::delete_subscriber,
            registry::decide_enrollment,
            registry::import_preview,
            registry::import_registry,
            registry::export_registry,
            groups::list_groups,
            groups::create_group,
            groups::update_group,
            groups::delete_group,
            groups::change_group_members,
            groups::groups_of_subscriber,
            groups::set_subscriber_groups,
            budget::budget_list,
            budget::budget_get,
            budget::budget_check,
            budget::budget_blank,
            budget::budget_save,
            budget::budget_delete,
            budget::budget_pdf,
            budget::budget_save_pdf,
            programs::cohort_list,
            programs::cohort_get,
            programs::cohort_save,
            programs::cohort_delete,
            programs::person_save,
            programs::person_delete,
            programs::workshop_save,
            programs::workshop_delete,
            programs::attendance_mark,
            programs::team_save,
            programs::team_delete,
            programs::outcome_save,
            programs::outcome_delete,
            programs::training_list,
            programs::training_get,
            programs::training_save,
            programs::training_delete,
            programs::training_check_in,
            programs::training_walk_in,
            programs::chief_checklist_set,
            programs::programs_calendar,
            programs::programs_ics_save,
            programs::sign_in_pdf_save,
            programs::attendance_pdf_save,
            programs::reminder_settings,
            programs::set_reminder_settings,
            programs::reminders_plan,
            programs::practice_state,
            programs::set_practice_mode,
            dispatch::broadcast_preview,
            dispatch::broadcast_send,
            dispatch::broadcast_list,
            dispatch::broadcast_detail,
            dispatch::broadcast_report,
            dispatch::broadcast_csv_save,
            dispatch::broadcast_pdf_save,
            dispatch::broadcast_cap_save,
            dispatch::alert_import_file,
            dispatch::drafts_open,
            dispatch::draft_send,
            dispatch::draft_dismiss,
            dispatch::draft_on_air,
            dashboard::dashboard,
            dashboard::not_reached,
            dashboard::not_reached_save,
            dashboard::readiness_save,
            dispatch::alarm_get,
            dispatch::alarm_set,
            dispatch::feed_status,
            dispatch::feed_get,
            dispatch::feed_set,
            dispatch::feed_poll_now,
            dispatch::provider_test,
            dispatch::broadcast_cancel,
            dispatch::broadcast_escalation_stop,
            dispatch::templates_list,
            dispatch::template_save,
            dispatch::template_delete,
            dispatch::template_fill,
            dispatch::escalation_settings,
            dispatch::escalation_set,
            dispatch::broadcast_approve,
            dispatch::broadcast_not_reached,
            dispatch::broadcast_resend_not_reached,
            dispatch::sync_status,
            dispatch::sync_resume,
            dispatch::dispatch_settings,
            dispatch::setting_set,
            dispatch::provider_get,
            dispatch::provider_set,
            console::console_open,
            console::console_watch,
            console::console_unwatch,
            console::console_on_air,
            console::console_stop,
            console::console_preview,
            console::console_chain,
            console::console_settings_set,
            console::console_listen,
            console::recording_list,
            console::recording_delete,
            console::recording_import,
            admin::list_users,
            admin::create_user,
            admin::set_user_active,
            admin::set_password,
            admin::backup_db,
            admin::seed_demo,
            admin::audit_verify,
            admin::audit_list,
        ])
        .constant("IMPORT_COLUMNS", maeul_registry::import::import_columns())
}

/// Ids are SQLite integers far below 2^53, so they cross as plain numbers.
#[cfg(test)]
fn typescript() -> specta_typescript::Typescript {
    specta_typescript::Typescript::default()
        .bigint(specta_typescript::BigIntExportBehavior::Number)
        .header("// Generated by tauri-specta from the Rust commands. Do not edit: run `./dev bindings`.\n// @ts-nocheck: the generator emits a placeholder `TAURI_CHANNEL` type beside its import.\n")
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// Fails when the committed bindings differ from what the Rust code generates.
    /// `./dev bindings` (UPDATE_BINDINGS=1) rewrites them.
    #[test]
    fn bindings_are_up_to_date() {
        let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/bindings.ts");
        let fresh = std::env::temp_dir().join(format!("maeul-bindings-{}.ts", std::process::id()));
        super::specta_builder()
            .export(super::typescript(), &fresh)
            .expect("export bindings");
        let generated = std::fs::read_to_string(&fresh).expect("read generated bindings");
        let _ = std::fs::remove_file(&fresh);
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&committed, &generated).expect("write bindings");
            return;
        }
        let current = std::fs::read_to_string(&committed).unwrap_or_default();
        assert!(
            current == generated,
            "ui/src/lib/bindings.ts is stale: run `./dev bindings` and commit the result"
        );
    }
}
