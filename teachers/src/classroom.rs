//! A classroom: what earlier students left for AGAIN (Portelas et al.,
//! 2020, "Meta Automatic Curriculum Learning"). One JSON file per student in
//! a directory: who it was, its pre-test vector (returns on the run's test
//! tasks early in training), its latest test vector, and its curriculum as
//! the sequence of ALP-GMM mixtures it was taught with (high-ALP components
//! only, each with the mean normalised return its tasks gave).
//!
//! Files are written atomically, so students of a sweep can share one
//! classroom while they run; unreadable or foreign files are skipped.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::Gaussian;

/// One mixture of a student's curriculum.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Components in unit-cube task coordinates with ALP as the last dimension.
    pub components: Vec<Gaussian>,
    /// Mean normalised return (0..1) of the episodes played under this mixture.
    pub mean_reward: f64,
}

/// One student's record.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// File stem; unique per student.
    pub id: String,
    /// Who was taught (student and body).
    pub learner: String,
    /// Task dimension names: records of another task space are ignored.
    pub dims: Vec<String>,
    /// Returns on the test tasks at the pre-test.
    pub pretest: Vec<f64>,
    /// Returns on the test tasks at the latest evaluation.
    pub last_test: Vec<f64>,
    /// The mixtures in the order they were fitted.
    pub curriculum: Vec<Snapshot>,
}

impl Record {
    /// Writes `dir/<id>.json` (creating `dir`).
    pub fn save(&self, dir: &Path) -> std::io::Result<()> {
        std::fs::create_dir_all(dir)?;
        let json = serde_json::to_vec_pretty(self).expect("a record serialises");
        trellis_core::fs::write_atomic(&dir.join(format!("{}.json", self.id)), &json)
    }
}

/// Every readable record in `dir` for a task space with these dimension
/// names, in file-name order (missing directory: none).
pub fn load(dir: &Path, dims: &[String]) -> Vec<Record> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut paths: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths
        .iter()
        .filter_map(|p| serde_json::from_slice::<Record>(&std::fs::read(p).ok()?).ok())
        .filter(|r| r.dims == dims)
        .collect()
}

/// AGAIN's choice of teacher among the records: the `k` nearest by pre-test
/// vector (Euclidean), and of those the one whose latest test returns sum
/// highest (the student that ended best). Records with another pre-test
/// length or no curriculum are not candidates.
pub fn choose<'a>(records: &'a [Record], pretest: &[f64], k: usize) -> Option<&'a Record> {
    let mut near: Vec<(&Record, f64)> = records
        .iter()
        .filter(|r| r.pretest.len() == pretest.len() && !r.curriculum.is_empty())
        .map(|r| {
            let d: f64 = r.pretest.iter().zip(pretest).map(|(a, b)| (a - b) * (a - b)).sum();
            (r, d)
        })
        .collect();
    near.sort_by(|a, b| a.1.total_cmp(&b.1));
    near.truncate(k.max(1));
    near.into_iter()
        .max_by(|a, b| {
            let s = |r: &Record| r.last_test.iter().sum::<f64>();
            s(a.0).total_cmp(&s(b.0))
        })
        .map(|(r, _)| r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, pretest: Vec<f64>, last: f64) -> Record {
        Record {
            id: id.into(),
            learner: "toy".into(),
            dims: vec!["x0".into()],
            pretest,
            last_test: vec![last],
            curriculum: vec![Snapshot {
                components: vec![Gaussian::diagonal(vec![0.5, 0.3], &[0.1, 0.1])],
                mean_reward: 0.4,
            }],
        }
    }

    #[test]
    fn nearest_students_then_the_best_of_them() {
        let rs = vec![
            record("a", vec![0.0, 0.0], 10.0),
            record("b", vec![0.1, 0.0], 50.0),
            record("c", vec![5.0, 5.0], 99.0),
        ];
        // k = 2 near (0, 0): a and b; b ended better. c is far away, however good.
        assert_eq!(choose(&rs, &[0.0, 0.0], 2).unwrap().id, "b");
        assert_eq!(choose(&rs, &[5.0, 5.1], 1).unwrap().id, "c");
        assert!(choose(&rs, &[0.0], 2).is_none(), "another pre-test length");
    }

    /// A sweep's students share one classroom with no lock (none needed on
    /// a network file system either): each writes only its own file, by
    /// rename, so a reader sees every record whole (old or new), never
    /// loses one it saw, and nothing is lost among 32 writers.
    #[test]
    fn thirty_two_students_share_a_classroom_while_others_read_it() {
        let dir = std::env::temp_dir().join(format!("trellis-classroom-many-{}", std::process::id()));
        let dims = ["x0".to_string()];
        std::thread::scope(|s| {
            for k in 0..32 {
                let dir = &dir;
                s.spawn(move || {
                    for round in 0..20 {
                        record(&format!("s{k}"), vec![round as f64; 200], round as f64).save(dir).unwrap();
                    }
                });
            }
            for _ in 0..4 {
                s.spawn(|| {
                    let mut seen = 0;
                    for _ in 0..100 {
                        let records = load(&dir, &dims);
                        // A record once readable stays readable: a rewrite
                        // never leaves its file missing, empty or half-written.
                        assert!(records.len() >= seen, "{} records after {seen}", records.len());
                        seen = records.len();
                        for r in records {
                            // A whole record: every value from the same round.
                            assert_eq!(r.pretest.len(), 200, "{}", r.id);
                            assert!(r.pretest.iter().all(|&v| v == r.last_test[0]), "{} torn", r.id);
                        }
                    }
                });
            }
        });
        let all = load(&dir, &dims);
        assert_eq!(all.len(), 32, "every student's record is there");
        assert!(all.iter().all(|r| r.last_test == vec![19.0]), "each holds its last write");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn records_round_trip_through_a_directory() {
        let dir = std::env::temp_dir().join(format!("trellis-classroom-{}", std::process::id()));
        let r = record("s0", vec![1.0], 2.0);
        r.save(&dir).unwrap();
        std::fs::write(dir.join("junk.json"), b"not json").unwrap();
        assert_eq!(load(&dir, &["x0".to_string()]), vec![r]);
        assert!(load(&dir, &["other".to_string()]).is_empty());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
