//! Parkour: CPPN terrain, water and its survival rules, grasping.

use std::path::Path;
use std::sync::Arc;

use trellis_envs::bodies::{self, BodySpec};
use trellis_envs::registry::{
    RegistryError, WorldRequest, make_walker, make_walker_with, terrain, terrain_with,
};
use trellis_envs::rng::{ChaCha8Rng, seeded, uniform};
use trellis_envs::space::TaskSpace;
use trellis_envs::terrain::parkour::Parkour;
use trellis_envs::terrain::{TerrainGenerator, TerrainLayout, track};
use trellis_envs::walker::{WalkerConfig, WalkerEnv};
use trellis_envs::{ContinuousEnv, Env, Step};

/// Observation index of the "dead" flag (after angle, angular speed, vx, vy, under water).
const DEAD: usize = 5;
const UNDER_WATER: usize = 4;

fn parkour(body: &str) -> WalkerEnv {
    make_walker("parkour", Some(body), WalkerConfig::default()).unwrap()
}

fn random_task(space: &TaskSpace, rng: &mut ChaCha8Rng) -> Vec<f64> {
    space
        .dims
        .iter()
        .map(|d| uniform(rng, d.low, d.high))
        .collect()
}

fn idle(env: &mut WalkerEnv, steps: usize) -> Vec<Step<Vec<f32>>> {
    let zero = vec![0.0; env.action_space().dim()];
    (0..steps).map(|_| env.step(&zero)).collect()
}

#[test]
fn cppn_terrain_is_a_function_of_the_task_and_never_crosses_the_ceiling() {
    let generator = terrain("parkour").unwrap();
    let mut rng = seeded(1, 0);
    let mut previous: Option<TerrainLayout> = None;
    for _ in 0..20 {
        let task = random_task(generator.task_space(), &mut rng);
        let a = generator.generate(&task, 2.0, &mut seeded(4, 0));
        let b = generator.generate(&task, 2.0, &mut seeded(4, 0));
        assert_eq!(a, b, "same task and seed, same terrain");
        assert_eq!(a.ground.len(), a.ceiling.len());
        for (g, c) in a.ground.iter().zip(&a.ceiling) {
            assert!(
                g.y.is_finite() && c.y >= g.y,
                "ceiling {} below ground {} at x = {}",
                c.y,
                g.y,
                g.x
            );
        }
        if let Some(p) = previous {
            let moved = p
                .ground
                .iter()
                .zip(&a.ground)
                .map(|(u, v)| (u.y - v.y).abs())
                .fold(0.0, f32::max);
            assert!(moved > 0.05, "different inputs must give different terrain");
        }
        previous = Some(a);
    }
}

#[test]
fn reference_cppn_weights_give_sane_stable_terrain() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/reference/cppn/same_ground_ceiling_cppn.json");
    if !path.exists() {
        eprintln!("skipped: {} is absent", path.display());
        return;
    }
    let generator = terrain_with("parkour", &weights(&path)).unwrap();
    let builtin = terrain("parkour").unwrap();
    for input in [[-0.35, 0.6, -0.1], [-0.15, 0.8, 0.1], [0.05, 1.0, 0.3]] {
        let task = [input[0], input[1], input[2], 0.0, 0.25, 1.0, 2.0, 10.0];
        let a = generator.generate(&task, 2.0, &mut seeded(0, 0));
        assert_eq!(a, generator.generate(&task, 2.0, &mut seeded(0, 0)));
        // Joins the start pad, stays within the world's floor and roof, and is not flat.
        assert!(a.ground.iter().all(|p| p.y > -100.0 && p.y < 100.0));
        assert_eq!(a.ground[0].y, track::HEIGHT);
        let relief = a.ground.iter().map(|p| p.y).fold(f32::MIN, f32::max)
            - a.ground.iter().map(|p| p.y).fold(f32::MAX, f32::min);
        assert!(relief > 0.5 && relief < 100.0, "relief {relief}");
        assert!(a.ground.iter().zip(&a.ceiling).all(|(g, c)| c.y >= g.y));
        assert_ne!(
            a.ground,
            builtin.generate(&task, 2.0, &mut seeded(0, 0)).ground,
            "the file's weights are used"
        );
    }
    let broken = std::env::temp_dir().join("trellis-broken-cppn.json");
    std::fs::write(
        &broken,
        r#"{"h1": [[1.0]], "h2": [], "h3": [], "h4": [], "output": []}"#,
    )
    .unwrap();
    let e = terrain_with("parkour", &weights(&broken))
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("h2"), "{e}");
}

/// A request for Parkour with the CPPN weights in `path`.
fn weights(path: &Path) -> WorldRequest {
    let mut options = toml::Table::new();
    options.insert("cppn_weights".into(), path.display().to_string().into());
    WorldRequest {
        options,
        ..WorldRequest::default()
    }
}

#[test]
fn parkour_options_are_checked_and_used() {
    let req = |key: &str, v: toml::Value| {
        let mut options = toml::Table::new();
        options.insert(key.into(), v);
        WorldRequest {
            options,
            ..WorldRequest::default()
        }
    };
    // An unknown key and an out-of-range value are refused, each named.
    let e = terrain_with("parkour", &req("cppn_wieghts", "w.json".into())).err().unwrap().to_string();
    assert!(e.contains("[parkour]") && e.contains("cppn_wieghts"), "{e}");
    let e = terrain_with("parkour", &req("ceiling_offset", (-5.0).into())).err().unwrap().to_string();
    assert!(e.contains("parkour.ceiling_offset") && e.contains("[0, 1000]"), "{e}");
    // A world without options refuses any.
    let e = terrain_with("stump-tracks", &req("cppn_weights", "w.json".into())).err().unwrap().to_string();
    assert!(e.contains("stump-tracks.cppn_weights") && e.contains("no options"), "{e}");
    // A valid option changes the terrain: a higher ceiling.
    let task = [0.0, 0.8, 0.0, 0.0, 0.25, 1.0, 2.0, 10.0];
    let ceiling = |req: &WorldRequest| {
        let g = terrain_with("parkour", req).unwrap();
        g.generate(&task, 2.0, &mut seeded(0, 0)).ceiling[0].y
    };
    let low = ceiling(&WorldRequest::default());
    let high = ceiling(&req("ceiling_offset", 400.0.into()));
    assert!((high - low - 20.0).abs() < 1e-3, "ceiling {low} -> {high}");
}

#[test]
fn fish_lives_in_water_and_suffocates_out_of_it() {
    let mut fish = parkour("fish");
    let (obs, _) = fish
        .reset(Some(0), Some(&[-0.15, 0.8, 0.1, 1.0, 0.25, 0.0, 5.0, 10.0]))
        .unwrap();
    assert_eq!(obs[UNDER_WATER], 1.0);
    let y0 = fish.head_position().unwrap().y;
    let wet = idle(&mut fish, 700);
    assert!(
        wet.iter()
            .all(|s| s.obs[DEAD] == 0.0 && s.obs[UNDER_WATER] == 1.0),
        "a fish under water never dies"
    );
    let drift = fish.head_position().unwrap().y - y0;
    assert!(
        drift > -0.5,
        "a fish slightly lighter than water does not sink (moved {drift})"
    );

    fish.reset(Some(0), Some(&[-0.15, 0.8, 0.1, 0.0, 0.25, 0.0, 5.0, 10.0]))
        .unwrap();
    let dry = idle(&mut fish, 700);
    assert!(
        dry[..590].iter().all(|s| s.obs[DEAD] == 0.0),
        "it survives 600 steps out of water"
    );
    assert!(
        dry[610..].iter().all(|s| s.obs[DEAD] == 1.0),
        "then it is dead"
    );
    assert!(
        !dry.iter().any(|s| s.terminated),
        "death stops the body, not the episode"
    );
}

#[test]
fn walker_drowns_under_water_and_stands_on_dry_land() {
    let mut walker = parkour("classic_bipedal");
    assert_eq!(walker.observation_space().dim(), 6 + 10 + 20);
    walker
        .reset(Some(0), Some(&[-0.15, 0.8, 0.1, 1.0, 0.25, 0.0, 5.0, 10.0]))
        .unwrap();
    let steps = idle(&mut walker, 700);
    assert!(steps[..590].iter().all(|s| s.obs[DEAD] == 0.0));
    assert!(
        steps[610..].iter().all(|s| s.obs[DEAD] == 1.0),
        "a walker drowns after 600 steps under water"
    );
    // Once dead its motors are off: pushing the controls costs no torque.
    let s = walker.step(&vec![1.0; 4]);
    assert!(s.reward.abs() < 0.05, "{}", s.reward);

    walker
        .reset(Some(0), Some(&[-0.15, 0.8, 0.1, 0.0, 0.25, 0.0, 5.0, 10.0]))
        .unwrap();
    assert!(
        idle(&mut walker, 700)
            .iter()
            .all(|s| s.obs[DEAD] == 0.0 && s.obs[UNDER_WATER] == 0.0)
    );
}

#[test]
fn lidar_tells_water_and_creepers_apart() {
    let mut walker = parkour("old_classic_bipedal");
    // Water just below the hull: the downward rays see its surface.
    let (obs, _) = walker
        .reset(Some(0), Some(&[-0.15, 0.8, 0.1, 0.0, 0.25, 0.0, 5.0, 10.0]))
        .unwrap();
    let kinds = |o: &[f32]| o[o.len() - 10..].to_vec();
    assert!(
        kinds(&obs).iter().all(|&k| k == 0.0),
        "dry: {:?}",
        kinds(&obs)
    );
    let mut swimmer = parkour("fish");
    // Full water and tall, dense creepers: the fish's upward rays meet creepers.
    let (obs, _) = swimmer
        .reset(Some(0), Some(&[-0.15, 0.8, 0.1, 1.0, 0.25, 4.0, 0.0, 10.0]))
        .unwrap();
    assert!(
        kinds(&obs).iter().all(|&k| k != -1.0),
        "under water, rays do not see the surface"
    );
    let env = terrain("parkour").unwrap();
    let layout = env.generate(
        &[-0.15, 0.8, 0.1, 0.2, 0.25, 4.0, 0.0, 10.0],
        2.0,
        &mut seeded(0, 0),
    );
    assert!(layout.creepers.len() > 50 && layout.water_y.unwrap() < track::HEIGHT + 20.0);
    let mut walker = parkour("old_classic_bipedal");
    // The water's surface a little below the spawn height.
    let low = (0..=100).map(|i| i as f64 / 100.0).find(|&w| {
        let l = env.generate(
            &[-0.15, 0.8, 0.1, w, 0.25, 0.0, 5.0, 10.0],
            2.0,
            &mut seeded(0, 0),
        );
        l.water_y.unwrap() > track::HEIGHT + 0.2
    });
    let (obs, _) = walker
        .reset(
            Some(0),
            Some(&[-0.15, 0.8, 0.1, low.unwrap(), 0.25, 0.0, 5.0, 10.0]),
        )
        .unwrap();
    assert!(
        kinds(&obs).contains(&-1.0),
        "the walker's rays see water below: {:?}",
        kinds(&obs)
    );
}

/// A world with a flat ground, a far ceiling and one wide, long creeper
/// where the climber spawns.
struct CreeperWorld(Arc<Parkour>);

impl TerrainGenerator for CreeperWorld {
    fn name(&self) -> &str {
        "creeper-world"
    }
    fn task_space(&self) -> &TaskSpace {
        self.0.task_space()
    }
    fn with_space(&self, _: TaskSpace) -> Arc<dyn TerrainGenerator> {
        unimplemented!("a fixed test world")
    }
    fn default_task(&self) -> Vec<f64> {
        self.0.default_task()
    }
    fn features(&self) -> trellis_envs::terrain::Features {
        self.0.features()
    }
    fn generate(&self, task: &[f64], body_width: f32, rng: &mut ChaCha8Rng) -> TerrainLayout {
        let mut l = self.0.generate(task, body_width, rng);
        let top = track::HEIGHT + 20.0;
        for (g, c) in l.ground.iter_mut().zip(&mut l.ceiling) {
            (g.y, c.y) = (track::HEIGHT, top);
        }
        let (x0, x1, bottom) = (l.spawn.x - 1.0, l.spawn.x + 1.0, top - 12.0);
        use trellis_envs::physics::Vec2;
        l.creepers = vec![[
            Vec2::new(x0, top),
            Vec2::new(x1, top),
            Vec2::new(x1, bottom),
            Vec2::new(x0, bottom),
        ]];
        l
    }
}

#[test]
fn climber_hangs_grasps_a_creeper_and_lets_go() {
    let world = Arc::new(CreeperWorld(Arc::new(Parkour::default())));
    let spec: BodySpec = bodies::by_name("climbing_profile_chimpanzee").unwrap();
    let n_motors = spec.motors.len();
    let mut env = WalkerEnv::new(world, Arc::new(spec), WalkerConfig::default());
    assert_eq!(env.action_space().dim(), n_motors + 2);
    env.reset(Some(0), None).unwrap();
    assert_eq!(
        env.holding(),
        vec![true, true],
        "climbers start hanging from the ceiling"
    );
    let mut act = vec![0.0; n_motors + 2];
    let y = |env: &WalkerEnv| env.head_position().unwrap().y;
    let hanging = y(&env);
    for _ in 0..20 {
        env.step(&vec![0.0; n_motors].into_iter().chain([1.0, 1.0]).collect());
    }
    assert!((y(&env) - hanging).abs() < 0.3, "holding on keeps it up");

    // Let go: it drops along the creeper.
    act[n_motors..].fill(-1.0);
    for _ in 0..20 {
        env.step(&act);
    }
    assert_eq!(env.holding(), vec![false, false]);
    let dropped = y(&env);
    assert!(
        dropped < hanging - 0.3,
        "released, it falls ({hanging} -> {dropped})"
    );

    // Grab again: the grippers now overlap only the creeper.
    act[n_motors..].fill(1.0);
    let s = env.step(&act);
    assert!(!s.done());
    assert_eq!(env.holding(), vec![true, true], "grasped the creeper");
    let caught = y(&env);
    for _ in 0..30 {
        env.step(&act);
    }
    assert!(
        y(&env) > caught - 0.5,
        "the creeper holds it ({caught} -> {})",
        y(&env)
    );
}

#[test]
fn climbers_and_swimmers_need_parkour() {
    let e = make_walker("stump-tracks", Some("fish"), WalkerConfig::default())
        .err()
        .unwrap();
    assert!(matches!(e, RegistryError::Unsupported { .. }));
    assert!(e.to_string().contains("fish"));
    assert!(
        make_walker_with(
            "parkour",
            &WorldRequest {
                body: Some("spider".into()),
                ..WorldRequest::default()
            },
            WalkerConfig::default(),
        )
        .is_ok()
    );
}

#[test]
fn same_seed_same_parkour_episode() {
    let run = |seed: u64| {
        let mut env = parkour("spider");
        let mut rng = seeded(2, 0);
        let task = random_task(env.task_space(), &mut rng);
        env.reset(Some(seed), Some(&task)).unwrap();
        (0..300)
            .map(|i| env.step(&vec![((i % 7) as f32 / 3.5) - 1.0; 12]).reward)
            .collect::<Vec<_>>()
    };
    assert_eq!(run(7), run(7));
    // The seed matters (the episode's random draws come from it): another
    // seed gives another episode, so the equality above is not vacuous.
    assert_ne!(run(7), run(8));
}

/// Fins act on the water: flapping takes the fish somewhere else than
/// idling (the idle fish, a little lighter than water, drifts up ~3 units in
/// 500 steps; flapping holds it down). The push uses the torque the motors
/// really applied, as the original does, so it is modest: the fish does not
/// shoot ahead.
#[test]
fn flapping_fish_goes_elsewhere_than_an_idle_one() {
    let run = |flap: bool| {
        let mut fish = parkour("fish");
        fish.reset(Some(0), Some(&[-0.15, 0.8, 0.1, 1.0, 0.25, 0.0, 5.0, 10.0]))
            .unwrap();
        let x0 = fish.head_position().unwrap();
        for t in 0..500 {
            let phase = if flap && (t / 8) % 2 == 0 {
                1.0
            } else if flap {
                -1.0
            } else {
                0.0
            };
            fish.step(&vec![phase, -phase, phase, 0.0]);
        }
        let p = fish.head_position().unwrap();
        eprintln!("flap {flap}: moved {:?}", p - x0);
        p - x0
    };
    let (idle, flapping) = (run(false), run(true));
    assert!(
        (flapping - idle).length() > 1.0 && idle.y > 1.0,
        "idle {idle:?} flapping {flapping:?}"
    );
    assert!(flapping.length() < 10.0, "a modest push: {flapping:?}");
}

/// Creeper width and CPPN scale are task dimensions (fixed for training,
/// set per task by the reference's test sets): a scale of 20 halves every
/// height difference of scale 10, and creepers take the task's width.
#[test]
fn each_task_sets_its_creeper_width_and_terrain_smoothing() {
    let g = Parkour::default();
    let t10 = [-0.15, 0.8, 0.1, 0.0, 0.25, 1.0, 1.0, 10.0];
    let mut t20 = t10;
    t20[7] = 20.0;
    let dev = |l: &TerrainLayout| {
        l.ground
            .iter()
            .map(|p| (p.y - track::HEIGHT).abs())
            .fold(0.0f32, f32::max)
    };
    let (a, b) = (
        g.generate(&t10, 2.0, &mut seeded(0, 0)),
        g.generate(&t20, 2.0, &mut seeded(0, 0)),
    );
    assert!(dev(&b) > 0.1, "a non-flat terrain");
    assert!(
        (dev(&a) / dev(&b) - 2.0).abs() < 1e-3,
        "{} vs {}",
        dev(&a),
        dev(&b)
    );
    let mut wide = t10;
    wide[4] = 1.0;
    let c = g.generate(&wide, 2.0, &mut seeded(0, 0));
    let width = |l: &TerrainLayout| l.creepers[0][1].x - l.creepers[0][0].x;
    assert!((width(&c) - 1.0).abs() < 1e-5 && (width(&a) - 0.25).abs() < 1e-5);
    // Teachers see the 6 free dimensions; the world accepts the 8.
    assert_eq!(g.task_space().len(), 8);
    let free = g
        .task_space()
        .dims
        .iter()
        .filter(|d| d.width() > 0.0)
        .count();
    assert_eq!(free, 6);
}
