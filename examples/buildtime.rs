fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let t = std::time::Instant::now();
    let items = marquee::synthetic::catalog_items(n);
    eprintln!("gen {:?}", t.elapsed());
    let t = std::time::Instant::now();
    let e = marquee::search::Engine::new(marquee::catalog::Catalog { items, synonyms: vec![] });
    eprintln!("build {:?} stats {:?}", t.elapsed(), e.stats());
    let s = std::fs::read_to_string("/proc/self/status").unwrap();
    eprintln!("{}", s.lines().filter(|l| l.starts_with("VmRSS") || l.starts_with("VmHWM")).collect::<Vec<_>>().join(" "));
}
