use std::io::{self, BufRead, Read};

fn main() {
    let stdin = io::stdin();
    let mut cmd = String::new();
    stdin.lock().read_line(&mut cmd).unwrap();
    match cmd.trim() {
        "hello" => println!("Hello, World!"),
        "echo" => {
            let mut rest = String::new();
            stdin.lock().read_to_string(&mut rest).unwrap();
            print!("{}", rest);
        }
        "crash" => {
            let v: Vec<i32> = Vec::new();
            let i = v.len() + 3;
            println!("{}", v[i]);
        }
        "wrong" => println!("42"),
        "spin" => {
            // A volatile write the optimiser must keep (std::hint::black_box needs Rust 1.66).
            let mut x: u64 = 0;
            loop {
                unsafe { std::ptr::write_volatile(&mut x, x.wrapping_add(1)) };
            }
        }
        "sleep" => loop {
            std::thread::sleep(std::time::Duration::from_secs(1000));
        },
        "alloc" => {
            let mut chunks: Vec<Vec<u8>> = Vec::new();
            loop {
                chunks.push(vec![1u8; 1 << 20]);
            }
        }
        _ => std::process::exit(3),
    }
}
