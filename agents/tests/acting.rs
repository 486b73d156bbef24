//! Evaluation acting: the mean, or samples drawn with the caller's generator
//! (TeachMyAgent's PPO protocol). A sampled evaluation must replay from its
//! generator, actually sample (spread as the policy's std says), and leave
//! the learner exactly as it was, so a run's course does not depend on how
//! it is evaluated.

mod common;

use common::{ACT, OBS, feed, observation, policy};
use trellis_agents::ppo::{Ppo, PpoConfig};
use trellis_agents::sac::{Sac, SacConfig};
use trellis_agents::{Acting, EvalPolicy, Student};
use trellis_envs::rng::seeded;

fn ppo() -> Box<dyn Student> {
    let cfg = PpoConfig {
        hidden: vec![16],
        rollout: 64,
        minibatch: 16,
        ..Default::default()
    };
    Box::new(Ppo::new(OBS, ACT, cfg, 0))
}

fn sac() -> Box<dyn Student> {
    let cfg = SacConfig {
        hidden: vec![16],
        batch_size: 16,
        start_steps: 50,
        update_after: 50,
        ..Default::default()
    };
    Box::new(Sac::new(OBS, ACT, cfg, 0))
}

/// 400 sampled actions on one observation, each from its own evaluation call.
fn samples(s: &mut dyn Student, seed: u64) -> Vec<Vec<f32>> {
    let mut rng = seeded(seed, 9);
    let obs = [observation(4)];
    (0..400)
        .map(|_| s.act(&obs, Acting::Sample(&mut rng)).remove(0))
        .collect()
}

#[test]
fn sampled_evaluations_replay_spread_and_leave_the_learner_untouched() {
    for make in [ppo, sac] {
        let (mut a, mut b) = (make(), make());
        feed(a.as_mut(), 150);
        feed(b.as_mut(), 150);
        let name = a.name();
        let first = samples(a.as_mut(), 1);
        assert_eq!(
            first,
            samples(a.as_mut(), 1),
            "{name}: the same generator replays"
        );
        assert_ne!(
            first,
            samples(a.as_mut(), 2),
            "{name}: another generator, other samples"
        );
        // The samples spread around the mean action (both policies start
        // with a std near 1, so the clipped samples spread by a good part
        // of the [-1, 1] box), and stay inside the box.
        // observation(4) is the second of `policy`'s probes.
        let mean = policy(a.as_mut())[ACT..2 * ACT].to_vec();
        for k in 0..ACT {
            let xs: Vec<f32> = first.iter().map(|x| x[k]).collect();
            let m = xs.iter().sum::<f32>() / xs.len() as f32;
            let sd = (xs.iter().map(|x| (x - m).powi(2)).sum::<f32>() / xs.len() as f32).sqrt();
            assert!(sd > 0.2, "{name}: action {k} spreads by {sd}");
            assert!(
                xs.iter().all(|x| (-1.0..=1.0).contains(x)),
                "{name}: actions in the box"
            );
            assert!(
                (m - mean[k]).abs() < 0.5,
                "{name}: action {k}: samples around {m}, mean action {}",
                mean[k]
            );
        }
        // `a` evaluated 1,200 times, `b` never: they go on identically
        // (same training stream, same normalisers, same schedule).
        feed(a.as_mut(), 100);
        feed(b.as_mut(), 100);
        let obs = [observation(3)];
        assert_eq!(
            a.act(&obs, Acting::Explore),
            b.act(&obs, Acting::Explore),
            "{name}"
        );
        assert_eq!(a.updates(), b.updates(), "{name}");
        assert_eq!(
            policy(a.as_mut()),
            policy(b.as_mut()),
            "{name}: the same weights after the same updates"
        );
    }
}

#[test]
fn eval_policies_are_named_and_refuse_other_names() {
    for p in EvalPolicy::ALL {
        assert_eq!(p.name().parse::<EvalPolicy>(), Ok(p));
    }
    let err = "stochastic".parse::<EvalPolicy>().unwrap_err();
    assert!(
        err.contains("`stochastic`") && err.contains("`mean` or `sample`"),
        "{err}"
    );
}
