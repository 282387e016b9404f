//! A throwaway PostgreSQL cluster for tests: `initdb` into a temporary directory, the server
//! on a free loopback port, stopped and deleted when the [`Cluster`] is dropped. No
//! containers and no system service: the binaries of Debian's `postgresql-15` package are
//! run directly.
//!
//! PostgreSQL refuses to run as root, and the tests do run as root (CI): then the cluster
//! runs as the `postgres` user the Debian package creates, in a directory handed to it.

use std::io;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The superuser of the throwaway cluster, with trust authentication on loopback.
pub const USER: &str = "maeul";

pub struct Cluster {
    bin: PathBuf,
    data: PathBuf,
    run_as: Option<String>,
    port: u16,
    /// Serving TLS with a self-signed certificate for 127.0.0.1 (see [`Cluster::start_tls`]).
    tls: bool,
    // Dropped after the server is stopped (fields drop in order, after Drop::drop).
    _dir: tempfile::TempDir,
}

impl Cluster {
    /// Makes and starts a cluster. Its databases use the C collation and UTF-8, as the
    /// README tells an office to create theirs (ISO times and Hangul sort by code point).
    pub fn start() -> io::Result<Cluster> {
        Cluster::start_with(false)
    }

    /// [`Cluster::start`] with TLS on: a certificate for `127.0.0.1` made by `openssl` and
    /// signed by a CA of the test's own ([`Cluster::certificate`]), as an office's server
    /// with a certificate from its own CA would be.
    pub fn start_tls() -> io::Result<Cluster> {
        Cluster::start_with(true)
    }

    /// The certificate authority that signed the server's certificate, for `sslrootcert=`.
    pub fn certificate(&self) -> PathBuf {
        self.data.join("ca.crt")
    }

    fn start_with(tls: bool) -> io::Result<Cluster> {
        let bin = bin_dir()?;
        let dir = tempfile::Builder::new().prefix("maeul-pg.").tempdir()?;
        let run_as = running_as_root().then(|| "postgres".to_string());
        if let Some(user) = &run_as {
            hand_over(dir.path(), user)?;
        }
        let data = dir.path().join("data");
        let mut cluster = Cluster {
            bin,
            data,
            run_as,
            port: 0,
            tls,
            _dir: dir,
        };
        cluster.run(
            "initdb",
            &[
                "-D".as_ref(),
                cluster.data.as_os_str(),
                "-U".as_ref(),
                USER.as_ref(),
                "--auth=trust".as_ref(),
                "--no-locale".as_ref(),
                "-E".as_ref(),
                "UTF8".as_ref(),
                // Nothing here needs to survive a power cut: skip the fsyncs.
                "--no-sync".as_ref(),
            ],
        )?;
        if tls {
            cluster.make_certificate()?;
        }
        // The port is free when asked, and could be taken before the server binds it: try
        // another a few times.
        let mut last = None;
        for _ in 0..5 {
            cluster.port = free_port()?;
            match cluster.pg_ctl_start() {
                Ok(()) => return Ok(cluster),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| io::Error::other("postgres did not start")))
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `postgres://maeul@127.0.0.1:PORT/NAME`.
    pub fn url(&self, database: &str) -> String {
        format!("postgres://{USER}@127.0.0.1:{}/{database}", self.port)
    }

    /// A new, empty database (C collation, UTF-8); its URL.
    pub fn create_database(&self, name: &str) -> io::Result<String> {
        let createdb = self.bin.join("createdb");
        let out = Command::new(createdb)
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", USER])
            .args(["-T", "template0", "--locale=C", "-E", "UTF8", name])
            .output()?;
        checked("createdb", out)?;
        Ok(self.url(name))
    }

    /// Stops the server, every desk's connection cut, as a restart or a pulled cable
    /// looks to a desk. A fast shutdown, not an immediate one: the test clusters run without
    /// fsync or synchronous commit, so a crash would also lose what was committed.
    pub fn stop(&self) -> io::Result<()> {
        self.pg_ctl_stop("fast")
    }

    fn pg_ctl_stop(&self, mode: &str) -> io::Result<()> {
        self.run(
            "pg_ctl",
            &[
                "-D".as_ref(),
                self.data.as_os_str(),
                "-m".as_ref(),
                mode.as_ref(),
                "-w".as_ref(),
                "stop".as_ref(),
            ],
        )
    }

    /// Starts the stopped server again on the same port (its data as it was).
    pub fn restart(&self) -> io::Result<()> {
        self.pg_ctl_start()
    }

    /// A certificate authority of the test's own and the server's certificate for
    /// `127.0.0.1` signed by it (webpki refuses a self-signed CA as the server's own).
    fn make_certificate(&self) -> io::Result<()> {
        let data = &self.data;
        std::fs::write(
            data.join("server.ext"),
            "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
        )?;
        let steps: [&[&str]; 3] = [
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=maeul test CA",
                "-keyout",
                "ca.key",
                "-out",
                "ca.crt",
            ],
            &[
                "req",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-subj",
                "/CN=127.0.0.1",
                "-keyout",
                "server.key",
                "-out",
                "server.csr",
            ],
            &[
                "x509",
                "-req",
                "-in",
                "server.csr",
                "-CA",
                "ca.crt",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "2",
                "-extfile",
                "server.ext",
                "-out",
                "server.crt",
            ],
        ];
        for args in steps {
            let out = Command::new("openssl")
                .args(args)
                .current_dir(data)
                .output()
                .map_err(|e| io::Error::other(format!("openssl (apt install openssl): {e}")))?;
            checked("openssl", out)?;
        }
        // The server refuses a key others may read, or one it does not own.
        for file in ["server.key", "server.crt"] {
            let path = data.join(file);
            if let Some(user) = &self.run_as {
                hand_over(&path, user)?;
            }
            std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
        }
        Ok(())
    }

    fn pg_ctl_start(&self) -> io::Result<()> {
        let tls = if self.tls {
            " -c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key"
        } else {
            ""
        };
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} -c fsync=off \
             -c full_page_writes=off -c synchronous_commit=off{tls}",
            self.port,
            self.data.display()
        );
        let log = self.data.join("server.log");
        self.run(
            "pg_ctl",
            &[
                "-D".as_ref(),
                self.data.as_os_str(),
                "-w".as_ref(),
                "-t".as_ref(),
                "60".as_ref(),
                "-l".as_ref(),
                log.as_os_str(),
                "-o".as_ref(),
                options.as_ref(),
                "start".as_ref(),
            ],
        )
        .map_err(|e| {
            let tail = std::fs::read_to_string(&log).unwrap_or_default();
            io::Error::other(format!("{e}\n{tail}"))
        })
    }

    fn run(&self, program: &str, args: &[&std::ffi::OsStr]) -> io::Result<()> {
        let path = self.bin.join(program);
        let mut cmd = match &self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&path);
                c
            }
            None => Command::new(&path),
        };
        // Started from a temporary directory the server's user may not be able to read.
        cmd.current_dir(self.data.parent().unwrap_or(Path::new("/")));
        checked(program, cmd.args(args).output()?)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        // Immediate: a test's server holds nothing worth a clean shutdown.
        let _ = self.pg_ctl_stop("immediate");
    }
}

fn checked(what: &str, out: Output) -> io::Result<()> {
    if out.status.success() {
        return Ok(());
    }
    Err(io::Error::other(format!(
        "{what} failed ({}): {}{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )))
}

/// `MAEUL_PG_BIN`, else the newest `/usr/lib/postgresql/N/bin` (Debian's layout).
fn bin_dir() -> io::Result<PathBuf> {
    if let Some(dir) = std::env::var_os("MAEUL_PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .map_err(|e| {
            io::Error::new(
                e.kind(),
                "PostgreSQL is not installed (/usr/lib/postgresql): apt install postgresql-15, \
                 as ./dev does",
            )
        })?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    versions.sort();
    versions
        .pop()
        .map(|(_, bin)| bin)
        .ok_or_else(|| io::Error::other("no initdb under /usr/lib/postgresql/*/bin"))
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

/// Gives the cluster's directory to `user`, who runs the server.
fn hand_over(dir: &Path, user: &str) -> io::Result<()> {
    let id = |flag: &str| -> io::Result<u32> {
        let out = Command::new("id").args([flag, user]).output()?;
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .map_err(|_| io::Error::other(format!("no user {user} (apt install postgresql-15)")))
    };
    std::os::unix::fs::chown(dir, Some(id("-u")?), Some(id("-g")?))
}

fn free_port() -> io::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    Ok(port)
}
