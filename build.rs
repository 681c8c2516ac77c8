//! Embeds `migrations/NNNN_name.sql` in the binary, in order, so the store always migrates to
//! the schema this build was made with.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo::rerun-if-changed=migrations");
    let dir = Path::new("migrations");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .expect("read migrations/")
        .map(|entry| {
            entry.expect("read migrations/ entry").file_name().into_string().expect("UTF-8 name")
        })
        .filter(|name| Path::new(name).extension().is_some_and(|ext| ext == "sql"))
        .collect();
    files.sort();
    let mut out = String::from("/// `(file name, SQL)` of every migration, in order.\n");
    out.push_str("pub(crate) const MIGRATIONS: &[(&str, &str)] = &[\n");
    for name in &files {
        let path = Path::new(&std::env::var("CARGO_MANIFEST_DIR").unwrap()).join(dir).join(name);
        writeln!(out, "    ({name:?}, include_str!({:?})),", path.display().to_string()).unwrap();
    }
    out.push_str("];\n");
    let target = Path::new(&std::env::var("OUT_DIR").unwrap()).join("migrations.rs");
    std::fs::write(target, out).expect("write migrations.rs");
}
