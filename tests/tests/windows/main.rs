//! The desk's work as a Windows program: `maeul.exe` (cross-built by `./dev package-windows`)
//! run under Wine and checked from Linux. `./dev test-windows` runs these in a fresh
//! `WINEPREFIX` with a Korean locale (code page 949); elsewhere they are ignored.
//! `MAEUL_WIN_CLI` names the .exe, `MAEUL_LINUX_CLI` the native build to compare with.

// Running maeul.exe, Windows paths, the prefix's registry.
mod wine;

// The app: a second start hands over to the first (single-instance guard).
mod app;
// Korean on a code page 949 console and through a pipe.
mod console;
// demo-seed into %APPDATA% under a profile named with Hangul and a space; stats; imports of
// CP949 CSV and .xlsx with bad rows and good ones; export with CRLF; refused file names.
mod registry;
// budget print read back by pdftotext; programs ics.
mod documents;
// mixer render levels against the Linux build; devices under WASAPI.
mod audio;
// provider secret in Credential Manager; send + sync killed mid-way, 0 duplicates.
mod dispatch;
// backup, then restore refused while another maeul.exe has the database open.
mod backup;
// the installer: silent install, files, Start-menu entry, uninstall keeping the data.
mod installer;
