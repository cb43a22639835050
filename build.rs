//! Rebuilds when a migration is added or edited: `sqlx::migrate!` embeds the
//! `migrations/` folders at compile time but cannot tell cargo to watch them.

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
