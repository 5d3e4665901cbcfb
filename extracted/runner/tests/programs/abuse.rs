use std::io::{self, BufRead};

fn report(what: &str, ok: bool) {
    println!("{} {}", what, if ok { "ALLOWED" } else { "blocked" });
}

fn main() {
    let stdin = io::stdin();
    let mut lines = stdin.lock().lines().map(|l| l.unwrap());
    let cmd = lines.next().unwrap_or_default();
    match cmd.trim() {
        "network" => {
            report("tcp 5432", std::net::TcpStream::connect("127.0.0.1:5432").is_ok());
            use std::net::ToSocketAddrs;
            report("dns", "example.com:80".to_socket_addrs().is_ok());
        }
        "secrets" => {
            let settings = lines.next().unwrap_or_default();
            report("shadow", std::fs::read("/etc/shadow").is_ok());
            report("settings", std::fs::read(settings.trim()).is_ok());
            for (k, v) in std::env::vars() {
                println!("env {}={}", k, v);
            }
        }
        "write" => {
            report("/usr/polycode-x", std::fs::write("/usr/polycode-x", "x").is_ok());
            report("/etc/polycode-x", std::fs::write("/etc/polycode-x", "x").is_ok());
        }
        "spawn" => {
            let out = std::process::Command::new("/bin/sh").arg("-c").arg("id -u").output();
            match out {
                Ok(o) => print!("{}", String::from_utf8_lossy(&o.stdout)),
                Err(e) => println!("spawn failed {}", e),
            }
        }
        _ => std::process::exit(3),
    }
}
