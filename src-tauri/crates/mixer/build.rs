fn main() {
    // libopus, built from source by opusic-sys, is compiled with -fstack-protector; with
    // MinGW its __stack_chk_fail lives in libssp, which nothing else links. Named verbatim
    // (`-l:libssp.a`) so the static archive is taken and the .exe needs no libssp-0.dll;
    // libssp seeds its canary through advapi32's CryptGenRandom, named after it.
    if std::env::var("TARGET").is_ok_and(|t| t.ends_with("-windows-gnu")) {
        println!("cargo:rustc-link-lib=dylib:+verbatim=libssp.a");
        println!("cargo:rustc-link-lib=dylib=advapi32");
        // This crate's own test binaries list its native libraries before libopus, where
        // the linker has not yet seen the need; link arguments come last, so the C runtime
        // libssp itself calls (open, write, _exit) is named again after it.
        for lib in ["-l:libssp.a", "-ladvapi32", "-lmsvcrt"] {
            println!("cargo:rustc-link-arg={lib}");
        }
    }
}
