//! `cargo run -p maeul-fake-provider --bin fake-provider -- --port N [--fail-rate R] [--latency-ms M]
//! [--rate-limit PER_SEC] [--drop-rate R] [--seed S] [--clock-offset-secs S]`
//! Serves the fake Solapi API on 127.0.0.1 until killed; prints the address when ready.

use std::net::SocketAddr;
use std::time::Duration;

use maeul_fake_provider::{Config, serve};

fn main() {
    let mut config = Config::default();
    let mut port = 0u16;
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = args.get(i + 1).cloned().unwrap_or_default();
        let bad = |what: &str| -> ! {
            eprintln!("{what}: 값이 잘못되었습니다: {value:?}");
            std::process::exit(2)
        };
        match args[i].as_str() {
            "--port" => port = value.parse().unwrap_or_else(|_| bad("--port")),
            "--fail-rate" => {
                config.fail_rate = value.parse().unwrap_or_else(|_| bad("--fail-rate"));
            }
            "--drop-rate" => {
                config.drop_rate = value.parse().unwrap_or_else(|_| bad("--drop-rate"));
            }
            "--latency-ms" => {
                config.latency =
                    Duration::from_millis(value.parse().unwrap_or_else(|_| bad("--latency-ms")));
            }
            "--rate-limit" => {
                config.rate_limit = value.parse().unwrap_or_else(|_| bad("--rate-limit"));
            }
            "--seed" => config.seed = value.parse().unwrap_or_else(|_| bad("--seed")),
            "--clock-offset-secs" => {
                config.clock_offset_secs =
                    value.parse().unwrap_or_else(|_| bad("--clock-offset-secs"));
            }
            other => {
                eprintln!("모르는 옵션: {other}");
                std::process::exit(2);
            }
        }
        i += 2;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    rt.block_on(async {
        let (addr, handle) = serve(SocketAddr::from(([127, 0, 0, 1], port)), config)
            .await
            .unwrap_or_else(|e| {
                eprintln!("포트를 열 수 없습니다: {e}");
                std::process::exit(2)
            });
        println!("fake-provider listening on http://{addr}");
        let _ = handle.await;
    });
}
