//! Novelty: how far a candidate environment is from the ones already seen,
//! as the mean distance to its `k` nearest neighbours.
//!
//! POET measures it on the encodings themselves (here scaled to the unit
//! cube, so no dimension dominates by its units). Enhanced POET's PATA-EC
//! measures it on what the agents do there: each environment is described
//! by the scores of every agent (active and archived) in it, clipped to the
//! minimal criterion's band and replaced by their centred ranks, so two
//! environments are close when they order the agents alike, whatever
//! their encodings.

/// Mean Euclidean distance from `x` to its `k` nearest points (all of them
/// if fewer; 0 with none).
pub fn knn_novelty(x: &[f64], points: &[Vec<f64>], k: usize) -> f64 {
    let mut d: Vec<f64> = points
        .iter()
        .map(|p| p.iter().zip(x).map(|(a, b)| (a - b).powi(2)).sum::<f64>().sqrt())
        .collect();
    if d.is_empty() {
        return 0.0;
    }
    d.sort_by(f64::total_cmp);
    let k = k.min(d.len());
    d[..k].iter().sum::<f64>() / k as f64
}

/// PATA-EC's description of one environment: `scores` (one per agent)
/// clipped to `[low, high]`, then ranked and scaled to [−0.5, 0.5] (ties
/// share their mean rank, so agents that all fail alike look alike).
pub fn pata_ec(scores: &[f64], low: f64, high: f64) -> Vec<f64> {
    let n = scores.len();
    if n < 2 {
        return vec![0.0; n];
    }
    let c: Vec<f64> = scores.iter().map(|s| s.clamp(low, high)).collect();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| c[a].total_cmp(&c[b]));
    let mut ranks = vec![0.0; n];
    let mut i = 0;
    while i < n {
        let mut j = i;
        while j + 1 < n && c[order[j + 1]] == c[order[i]] {
            j += 1;
        }
        let mean = (i + j) as f64 / 2.0;
        for &o in &order[i..=j] {
            ranks[o] = mean / (n - 1) as f64 - 0.5;
        }
        i = j + 1;
    }
    ranks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_far_child_is_more_novel_than_a_near_one() {
        let seen = vec![vec![0.0, 0.0], vec![0.1, 0.0], vec![0.0, 0.1]];
        let near = knn_novelty(&[0.05, 0.05], &seen, 2);
        let far = knn_novelty(&[0.9, 0.8], &seen, 2);
        assert!(far > 5.0 * near, "{far} vs {near}");
        assert_eq!(knn_novelty(&[1.0], &[], 5), 0.0);
    }

    #[test]
    fn pata_ec_ranks_clipped_scores() {
        // Two agents clipped to the same floor tie.
        assert_eq!(pata_ec(&[-100.0, -50.0, 300.0], 0.0, 340.0), vec![-0.25, -0.25, 0.5]);
        // Environments that order agents alike are close, whatever the scores' scale.
        let a = pata_ec(&[10.0, 50.0, 200.0], 0.0, 340.0);
        let b = pata_ec(&[30.0, 100.0, 330.0], 0.0, 340.0);
        let c = pata_ec(&[200.0, 50.0, 10.0], 0.0, 340.0);
        assert!(knn_novelty(&a, &[b], 1) < knn_novelty(&a, &[c], 1));
    }
}
