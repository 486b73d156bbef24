//! Manifests and shard specs as users (and crashed writers) leave them:
//! never a panic, an error that names the file.

use proptest::prelude::*;
use trellis_sweep::manifest::{Manifest, parse_shard};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_manifest_text_is_an_error_naming_the_file(text in "(?s).{0,300}") {
        let dir = std::env::temp_dir().join(format!("trellis-manifest-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("manifest.json");
        std::fs::write(&p, &text).unwrap();
        if let Err(e) = Manifest::load(&p) {
            prop_assert!(format!("{e:#}").contains("manifest.json"), "{e:#}");
        }
    }

    /// `i/n` with 0 ≤ i < n, or an error.
    #[test]
    fn shard_specs(text in "[0-9/ -]{0,8}") {
        if let Ok((i, n)) = parse_shard(&text) {
            prop_assert!(i < n);
        }
    }
}

/// A report asked of a dir that holds no sweep says so, naming the dir and
/// the file it looked for (not a bare "No such file").
#[test]
fn a_dir_without_a_manifest_is_named_as_not_a_sweep() {
    let dir = std::env::temp_dir().join(format!("trellis-no-sweep-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let e = format!("{:#}", Manifest::of_sweep(&dir).unwrap_err());
    assert!(e.contains(&format!("{} is not a sweep dir", dir.display())), "{e}");
    assert!(e.contains(Manifest::FILE), "{e}");
    std::fs::write(dir.join(Manifest::FILE), "{}").unwrap();
    let e = format!("{:#}", Manifest::of_sweep(&dir).unwrap_err());
    assert!(e.contains("not a sweep manifest") && !e.contains("not a sweep dir"), "{e}");
    std::fs::remove_dir_all(&dir).unwrap();
}
