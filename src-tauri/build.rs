fn main() {
    // tauri.conf.json and icons/ live at the repository root (ARCHITECTURE.md); tauri-build
    // reads the config from the current directory. It also writes its schemas to `gen/`
    // there (ignored by git).
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::env::set_current_dir(&root).expect("repository root");
    println!("cargo:rerun-if-changed=../tauri.conf.json");
    println!("cargo:rerun-if-changed=capabilities");
    let attributes =
        tauri_build::Attributes::new().capabilities_path_pattern("src-tauri/capabilities/**/*");
    tauri_build::try_build(attributes).expect("tauri-build");
}
