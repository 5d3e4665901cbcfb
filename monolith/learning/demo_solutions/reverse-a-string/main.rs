use std::io::{self, Read};

fn main() {
    let mut input = String::new();
    io::stdin().read_to_string(&mut input).unwrap();
    let text = input.lines().next().unwrap_or("");
    println!("{}", text.chars().rev().collect::<String>());
}
