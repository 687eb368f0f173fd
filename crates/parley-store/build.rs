// `sqlx::migrate!` embeds the migrations at compile time but cannot tell cargo to watch them
// on stable Rust: without this, an edited or added migration left an old binary in place.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
