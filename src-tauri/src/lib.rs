//! The desktop shell: wiring, thin commands and events. Every command is a one-line adapter
//! from IPC to `maeul_api::Desk`; nothing else lives here.

mod bindings;
mod commands;
mod events;
mod state;

use tauri::Manager;

pub use bindings::specta_builder;
use state::AppState;

/// Starts the app on the database named by `--db PATH|URL`, `MAEUL_DB`, the office server
/// this PC joined, or the OS default file.
pub fn run() {
    let db_flag = db_flag(std::env::args());
    let builder = specta_builder();
    let invoke = builder.invoke_handler();
    tauri::Builder::default()
        // First, so that a second launch focuses the running window instead of opening the
        // same database twice.
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            if let Some(w) = app.get_webview_window("main") {
                let _ = w.unminimize();
                let _ = w.set_focus();
            }
        }))
        .plugin(
            tauri_plugin_log::Builder::new()
                .level(log::LevelFilter::Info)
                .build(),
        )
        .plugin(tauri_plugin_window_state::Builder::default().build())
        .plugin(tauri_plugin_dialog::init())
        .invoke_handler(invoke)
        .setup(move |app| {
            builder.mount_events(app);
            let target = maeul_api::Desk::resolve_target(db_flag).map_err(|e| e.message)?;
            let desk = tauri::async_runtime::block_on(maeul_api::Desk::open_target(&target))
                .map_err(|e| format!("{} ({target})", e.message))?;
            watch_office(app.handle().clone(), desk.clone());
            app.manage(AppState::new(desk));
            Ok(())
        })
        .build(tauri::generate_context!("../tauri.conf.json"))
        .expect("Maeul Desk could not start")
        .run(|app, event| {
            if let tauri::RunEvent::Exit = event
                && let Some(state) = app.try_state::<AppState>()
            {
                state.sync.stop();
                state.feed.stop();
                // Ends a broadcast on air and finishes its recording before the desk closes.
                state.console.shutdown();
                let task = state.sync_task.lock().ok().and_then(|mut t| t.take());
                let console_task = state.console_task.lock().ok().and_then(|mut t| t.take());
                tauri::async_runtime::block_on(async {
                    if let Some(task) = task {
                        let _ =
                            tokio::time::timeout(std::time::Duration::from_secs(10), task).await;
                    }
                    if let Some(task) = console_task {
                        let _ =
                            tokio::time::timeout(std::time::Duration::from_secs(30), task).await;
                    }
                    state.desk.close().await;
                });
            }
        });
}

/// On the office server, tells the window of every audited commit as it happens (the window
/// then asks what changed); on a file the window's own poll is all there is.
fn watch_office(app: tauri::AppHandle, desk: maeul_api::Desk) {
    use tauri_specta::Event;
    tauri::async_runtime::spawn(async move {
        let wake = move || {
            let _ = events::OfficeChanged.emit(&app);
        };
        if let Err(e) = desk.watch_changes(wake).await {
            log::warn!("office change listener did not start: {}", e.message);
        }
    });
}

fn db_flag(args: impl Iterator<Item = String>) -> Option<String> {
    let args: Vec<String> = args.collect();
    args.iter()
        .position(|a| a == "--db")
        .and_then(|i| args.get(i + 1))
        .cloned()
}
