//! The fuzz targets in the test command. Every saved input (`fuzz/corpus/TARGET`, what the
//! campaigns found that reaches new code) and every input that once broke a target
//! (`fuzz/regressions/TARGET`) goes through the same checks the fuzzer runs
//! (`wpconnect_core::fuzz`); then each target runs briefly on inputs mutated from its corpus.
//! The campaign proper, coverage-guided and for minutes per target, is `scripts/fuzz.sh`.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use wpconnect_core::fuzz::TARGETS;

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

fn inputs(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut out: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    out.sort();
    out
}

/// Run one input; the panic message, if the target broke.
fn run(target: fn(&[u8]), data: &[u8]) -> Option<String> {
    catch_unwind(AssertUnwindSafe(|| target(data))).err().map(|p| {
        p.downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "a panic".into())
    })
}

#[test]
fn the_targets_here_are_the_targets_in_fuzz() {
    let mut files: Vec<String> = std::fs::read_dir(fuzz_dir().join("fuzz_targets"))
        .unwrap()
        .map(|e| e.unwrap().path().file_stem().unwrap().to_string_lossy().to_string())
        .collect();
    files.sort();
    let mut names: Vec<String> = TARGETS.iter().map(|(n, _)| n.to_string()).collect();
    names.sort();
    assert_eq!(files, names, "fuzz/fuzz_targets and wpconnect_core::fuzz::TARGETS differ");
    let manifest = std::fs::read_to_string(fuzz_dir().join("Cargo.toml")).unwrap();
    for n in &names {
        assert!(manifest.contains(&format!("name = \"{n}\"")), "{n} is not in fuzz/Cargo.toml");
    }
}

#[test]
fn every_saved_input_and_every_past_finding_passes_every_check() {
    let mut broken = Vec::new();
    println!("{:<18} {:>7} {:>12}", "target", "corpus", "regressions");
    for (name, target) in TARGETS {
        let corpus = inputs(&fuzz_dir().join("corpus").join(name));
        let regressions = inputs(&fuzz_dir().join("regressions").join(name));
        assert!(!corpus.is_empty(), "fuzz/corpus/{name} has no seed");
        println!("{name:<18} {:>7} {:>12}", corpus.len(), regressions.len());
        for (path, data) in corpus.iter().chain(&regressions) {
            if let Some(why) = run(*target, data) {
                broken.push(format!("{}: {why}", path.display()));
            }
        }
    }
    assert!(broken.is_empty(), "inputs that break a target:\n{}", broken.join("\n"));
}

/// A small deterministic mutator (xorshift), enough to shake the corpus a little on every run.
struct Mutator {
    state: u64,
}

const TOKENS: &[&[u8]] = &[
    b"\r\n",
    b"\n",
    b"\"",
    b"{",
    b"}",
    b"[",
    b"]",
    b":",
    b",",
    b"null",
    b"true",
    b"-1",
    b"99999999999999999999",
    b"1e400",
    b"\\u0000",
    b"\xff",
    b"\xef\xbb\xbf",
    b"%",
    b"%00",
    b"%2F",
    b"://",
    b"//",
    b"?",
    b"&",
    b"=",
    b"#",
    b"@",
    b"[::1]",
    b":80",
    b"STATE",
    b"NONCE",
    b"<link",
    b"rel=",
    b"href=",
    b"https://api.w.org/",
    b"&amp;",
    b"access_token",
    b"oauth_token=",
    b"GMT",
    b"www.",
    b"xn--",
];

impl Mutator {
    fn next(&mut self) -> u64 {
        self.state ^= self.state << 13;
        self.state ^= self.state >> 7;
        self.state ^= self.state << 17;
        self.state
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn mutate(&mut self, input: &[u8], other: &[u8]) -> Vec<u8> {
        let mut v = input.to_vec();
        for _ in 0..1 + self.below(4) {
            let at = self.below(v.len() + 1);
            match self.below(7) {
                0 if !v.is_empty() => {
                    let i = self.below(v.len());
                    v[i] ^= 1 << self.below(8);
                }
                1 if !v.is_empty() => {
                    let i = self.below(v.len());
                    v[i] = self.next() as u8;
                }
                2 => {
                    let token = TOKENS[self.below(TOKENS.len())];
                    v.splice(at..at, token.iter().copied());
                }
                3 if !v.is_empty() => {
                    let end = (at + 1 + self.below(16)).min(v.len());
                    v.drain(at.min(end)..end);
                }
                4 if !v.is_empty() => {
                    let start = self.below(v.len());
                    let end = (start + 1 + self.below(32)).min(v.len());
                    let piece = v[start..end].to_vec();
                    v.splice(at..at, piece);
                }
                5 if !other.is_empty() => {
                    let start = self.below(other.len());
                    let end = (start + 1 + self.below(64)).min(other.len());
                    v.splice(at..at, other[start..end].iter().copied());
                }
                _ => v.truncate(at),
            }
        }
        v.truncate(16 * 1024);
        v
    }
}

#[test]
fn each_target_briefly_on_inputs_mutated_from_its_corpus() {
    let budget = Duration::from_millis(
        std::env::var("WPCONNECT_FUZZ_MS").ok().and_then(|v| v.parse().ok()).unwrap_or(1500),
    );
    let seed: u64 = std::env::var("WPCONNECT_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
        });
    println!("seed {seed} (WPCONNECT_FUZZ_SEED={seed} repeats this run), {budget:?} per target");
    let mut broken = Vec::new();
    for (n, (name, target)) in TARGETS.iter().enumerate() {
        let corpus: Vec<Vec<u8>> = inputs(&fuzz_dir().join("corpus").join(name))
            .into_iter()
            .chain(inputs(&fuzz_dir().join("regressions").join(name)))
            .map(|(_, d)| d)
            .collect();
        let mut m =
            Mutator { state: seed ^ (0x9E37_79B9_7F4A_7C15_u64.wrapping_mul(n as u64 + 1)) };
        let started = Instant::now();
        let mut runs = 0u64;
        // The default panic hook would print every caught panic; one line per finding is enough.
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        while started.elapsed() < budget {
            let input = &corpus[m.below(corpus.len())];
            let other = &corpus[m.below(corpus.len())];
            let data = m.mutate(input, other);
            runs += 1;
            if let Some(why) = run(*target, &data) {
                let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-findings").join(name);
                std::fs::create_dir_all(&dir).unwrap();
                let file = dir.join(format!("finding-{runs}"));
                std::fs::write(&file, &data).unwrap();
                broken.push(format!(
                    "{name}: {why}\n  input {:?}\n  saved as {} (copy it to fuzz/regressions/{name}/)",
                    String::from_utf8_lossy(&data),
                    file.display()
                ));
                break;
            }
        }
        std::panic::set_hook(hook);
        println!("{name:<18} {runs:>8} inputs in {:?}", started.elapsed());
    }
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}
