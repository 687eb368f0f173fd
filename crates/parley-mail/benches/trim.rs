//! Reply trimmer throughput, on realistic replies (the fixtures) grown to several sizes: the
//! bytes per second must stay flat as the input grows (linear time).
//!
//! `cargo bench -p parley-mail --bench trim`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

/// Every fixture email, concatenated, then repeated to about `size` bytes. The repeated
/// body keeps the line mix (text, quotes, attributions, headers, signatures) of real mail.
fn corpus(size: usize) -> String {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/email-replies/emails"
    );
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .expect("fixtures")
        .map(|e| e.expect("entry").path())
        .collect();
    names.sort();
    let mut one = String::new();
    for name in names {
        one.push_str(&std::fs::read_to_string(name).expect("fixture"));
        one.push('\n');
    }
    let mut text = String::with_capacity(size + one.len());
    while text.len() < size {
        text.push_str(&one);
    }
    text
}

fn trim(c: &mut Criterion) {
    let mut group = c.benchmark_group("trim_reply");
    for size in [16 * 1024, 256 * 1024, 4 * 1024 * 1024] {
        let text = corpus(size);
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(size), &text, |b, text| {
            b.iter(|| parley_mail::trim_reply(std::hint::black_box(text)));
        });
    }
    group.finish();
}

criterion_group!(benches, trim);
criterion_main!(benches);
