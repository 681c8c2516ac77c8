//! Writes 27,500 journals' ledger lines (two or three each, pseudo-random source ids) into a
//! WAL store in 28 commits, with the ledger table and unique key of cxsync's schema, and prints
//! the process's CPU time. Argument: rows a statement (0: one row a statement, as cxsync
//! writes them; N: N rows a multi-row `INSERT`, the rest one at a time).

use rusqlite::{Connection, Statement, ToSql};

const SCHEMA: &str = "CREATE TABLE ledger_lines (
    id INTEGER PRIMARY KEY, connection_id INTEGER NOT NULL, system TEXT NOT NULL,
    source_id TEXT NOT NULL, line_no INTEGER NOT NULL, journal_number INTEGER,
    date TEXT NOT NULL, account_code TEXT NOT NULL, amount TEXT NOT NULL,
    source_type TEXT, reference TEXT, description TEXT,
    UNIQUE (connection_id, system, source_id, line_no)) STRICT;";
const COLUMNS: &str = "(connection_id, system, source_id, journal_number, source_type, \
    reference, line_no, date, account_code, amount, description)";
const JOURNALS: usize = 27_500;

struct Line {
    source_id: String,
    journal: i64,
    line_no: i64,
    amount: String,
}

fn values(first: usize) -> String {
    let p: Vec<String> = (first..first + 9).map(|i| format!("?{i}")).collect();
    format!("(1, 'xero', {})", p.join(", "))
}

fn bind(stmt: &mut Statement<'_>, row: usize, line: &Line) {
    let values: [&dyn ToSql; 9] = [
        &line.source_id,
        &line.journal,
        &"ACCREC",
        &"INV-1",
        &line.line_no,
        &"2026-01-01",
        &"630",
        &line.amount,
        &"Widget",
    ];
    for (i, value) in values.iter().enumerate() {
        stmt.raw_bind_parameter(row * 9 + i + 1, value).unwrap();
    }
}

fn cpu_seconds() -> f64 {
    // utime and stime, fields 14 and 15 of /proc/self/stat, in clock ticks (100 a second).
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap().split_whitespace().collect();
    (fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap()) / 100.0
}

fn main() {
    let per_statement: usize = std::env::args().nth(1).expect("rows a statement").parse().unwrap();
    let dir = std::env::temp_dir().join(format!("rows-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut conn = Connection::open(dir.join("t.db")).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.pragma_update(None, "synchronous", "NORMAL").unwrap();
    conn.execute_batch(SCHEMA).unwrap();
    let start = cpu_seconds();
    for batch in 0..JOURNALS.div_ceil(1000) {
        let lines: Vec<Line> = (batch * 1000..((batch + 1) * 1000).min(JOURNALS))
            .flat_map(|j| {
                let source_id = format!("{:08x}-0000-4000-8000-{j:012x}", j * 7919 % 100_000);
                (0..(2 + j % 2) as i64).map(move |line_no| Line {
                    source_id: source_id.clone(),
                    journal: j as i64,
                    line_no,
                    amount: format!("{j}.{line_no:02}"),
                })
            })
            .collect();
        let tx = conn.transaction().unwrap();
        {
            let insert = |rows: usize| {
                let values: Vec<String> = (0..rows).map(|r| values(r * 9 + 1)).collect();
                format!(
                    "INSERT INTO ledger_lines {COLUMNS} VALUES {} ON CONFLICT DO NOTHING",
                    values.join(", ")
                )
            };
            let mut one = tx.prepare_cached(&insert(1)).unwrap();
            let chunk = per_statement.max(1);
            let mut many = tx.prepare_cached(&insert(chunk)).unwrap();
            let mut chunks = lines.chunks_exact(if per_statement == 0 { 1 } else { chunk });
            for rows in &mut chunks {
                let stmt = if per_statement == 0 { &mut one } else { &mut many };
                for (row, line) in rows.iter().enumerate() {
                    bind(stmt, row, line);
                }
                stmt.raw_execute().unwrap();
            }
            for line in chunks.remainder() {
                bind(&mut one, 0, line);
                one.raw_execute().unwrap();
            }
        }
        tx.commit().unwrap();
    }
    println!("{per_statement} rows a statement: {:.2} s of CPU", cpu_seconds() - start);
    drop(conn);
    std::fs::remove_dir_all(dir).unwrap();
}
