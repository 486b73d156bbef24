//! Box2D's continuous collision against the terrain, run after rapier's step.
//!
//! Why: the original worlds step Box2D with continuous physics on, so a body
//! part that would cross a static shape within a step is stopped where it
//! first touches it, and that stop ignores the joints. Box2D's discrete solver
//! only sees contacts whose shapes already touch when the step begins (no
//! speculative contacts), so a foot or shin coming down fast is not slowed
//! with the rest of the body: it passes into the ground, the time-of-impact
//! pass pulls it back to where it first touched, kills its speed into the
//! ground there and lets it slide on for the rest of the step, while its
//! thigh and the hull go on where the joint solver put them. The joint is
//! then past its limit, and the knee of a learned gait landing hard bends
//! 0.3 rad the wrong way in one step, up to 0.8 rad over the next two
//! (`bench/box2d_toi.py` replays the gait fixture on the original with and
//! without continuous physics: the hyperextensions are all from this pass).
//! rapier's speculative contacts stop such a part inside the joint solve,
//! where the whole leg and the hull take the blow and the knee holds.
//!
//! What runs here, after each step, is Box2D's `b2World::SolveTOI` for the
//! pairs it handles in these worlds: a dynamic body part against a fixed
//! collider it collides with. For every pair, the earliest time the two cores
//! (the shapes without their skin, [`super::PhysicsConfig::skin`]) come
//! within Box2D's target distance along the part's sweep from its pose at the
//! start of the step to its pose at the end; the earliest event first: the
//! part is put at that pose, pushed out of its contacts, its velocity solved
//! against every terrain contact it then has (friction, no restitution below
//! Box2D's 1 m/s threshold), and moved on with that velocity for the rest of
//! the step; then the next event, up to Box2D's 8 per pair. The contact
//! counts as touching for the step, as Box2D's listener latches it.
//!
//! Off by default: [`super::PhysicsConfig::continuous`] says what it closes
//! and why that is not yet enough.

use rapier2d::parry::query::{self, ContactManifold, DefaultQueryDispatcher, PersistentQueryDispatcher};
use rapier2d::parry::shape::{Ball, Shape};
use rapier2d::prelude::*;

use super::{Vec2, wrap_angle};

/// `b2_linearSlop`: the overlap contacts tolerate.
const LINEAR_SLOP: f32 = 0.005;
/// `b2_maxSubSteps`: time-of-impact events per pair and step.
const MAX_SUB_STEPS: u32 = 8;
/// `b2_toiBaumgarte`: how much of an overlap one position iteration removes.
const TOI_BAUMGARTE: f32 = 0.75;
/// `b2_maxLinearCorrection`.
const MAX_LINEAR_CORRECTION: f32 = 0.2;
/// `b2_velocityThreshold`: slower impacts do not bounce.
const VELOCITY_THRESHOLD: f32 = 1.0;
/// Position iterations of a time-of-impact solve (Box2D's 20).
const POSITION_ITERATIONS: usize = 20;
/// Velocity iterations of a time-of-impact solve (the step's; the originals
/// pass 180, and one body against the terrain has converged long before).
const VELOCITY_ITERATIONS: usize = 180;
/// `b2_maxTranslation`, `b2_maxRotation`: per-step motion caps.
const MAX_TRANSLATION: f32 = 2.0;
const MAX_ROTATION: f32 = 0.5 * std::f32::consts::PI;
/// Conservative-advancement iterations before a pair's time of impact is
/// given up (Box2D's root finder stops at 20 outer iterations as well).
const MAX_ADVANCE_ITERATIONS: usize = 20;

/// Where a dynamic body was when the step began: its centre of mass and angle.
#[derive(Clone, Copy, Debug)]
pub struct Start {
    body: RigidBodyHandle,
    c: Vec2,
    a: f32,
}

/// The dynamic bodies' poses before a step (bodies with a solid collider).
pub fn starts(world: &PhysicsWorld) -> Vec<Start> {
    world
        .bodies
        .iter()
        .filter(|(_, b)| b.is_dynamic() && !b.colliders().is_empty())
        .map(|(body, b)| Start {
            body,
            c: b.position().transform_point(b.local_center_of_mass()),
            a: b.rotation().angle(),
        })
        .collect()
}

/// A body's motion over what is left of the step, Box2D's `b2Sweep`: its
/// centre of mass and angle move linearly from (c0, a0) at `alpha0` to
/// (c, a) at the end.
#[derive(Clone, Copy, Debug)]
struct Sweep {
    body: RigidBodyHandle,
    local_com: Vec2,
    c0: Vec2,
    a0: f32,
    c: Vec2,
    a: f32,
    alpha0: f32,
    inv_mass: f32,
    inv_inertia: f32,
    v: Vec2,
    w: f32,
    moved: bool,
}

impl Sweep {
    /// The body's pose a fraction `beta` of the way through the sweep.
    fn pose(&self, beta: f32) -> Pose {
        let c = self.c0 + (self.c - self.c0) * beta;
        let rot = Rotation::new(self.a0 + (self.a - self.a0) * beta);
        Pose::from_parts(c - rot.transform_vector(self.local_com), rot)
    }

    /// Moves the sweep's start to `alpha`, the end with it (`b2Body::Advance`).
    fn advance(&mut self, alpha: f32) {
        let beta = (alpha - self.alpha0) / (1.0 - self.alpha0);
        self.c0 += (self.c - self.c0) * beta;
        self.a0 += (self.a - self.a0) * beta;
        self.alpha0 = alpha;
        self.c = self.c0;
        self.a = self.a0;
    }
}

/// A part's collider against one fixed collider.
struct Pair {
    sweep: usize,
    part: ColliderHandle,
    fixed: ColliderHandle,
    /// Cached time of impact in [0, 1] of the whole step (1: none).
    toi: Option<f32>,
    events: u32,
    enabled: bool,
}

/// A contact point of the solve: where it is relative to the centre of mass,
/// its normal (out of the terrain, into the part) and its separation.
struct Point {
    r: Vec2,
    n: Vec2,
    separation: f32,
    friction: f32,
    restitution: f32,
}

fn cross(a: Vec2, b: Vec2) -> f32 {
    a.x * b.y - a.y * b.x
}

/// `w × r` for an angular speed `w`.
fn spin(w: f32, r: Vec2) -> Vec2 {
    Vec2::new(-w * r.y, w * r.x)
}

/// A collider's core (its shape without the skin) and the radius that
/// rounds it: Box2D's distance proxy and `m_radius`. Box2D's circles are a
/// point with their radius; trellis's carry the terrain's half of the skin.
fn core(shape: &dyn Shape) -> (&dyn Shape, f32) {
    const POINT: Ball = Ball { radius: 0.0 };
    if let Some(s) = shape.as_round_cuboid() {
        (&s.inner_shape, s.border_radius)
    } else if let Some(s) = shape.as_round_convex_polygon() {
        (&s.inner_shape, s.border_radius)
    } else if let Some(b) = shape.as_ball() {
        (&POINT, b.radius)
    } else {
        (shape, 0.0)
    }
}

/// The fraction of the sweep at which the part's core first comes within
/// Box2D's target distance of the fixed collider (`b2TimeOfImpact`), found
/// by conservative advancement: the distance shrinks at most as fast as the
/// farthest point of the core moves, so stepping by distance / that speed
/// never steps past the first touch. None if they stay apart, or if the
/// cores already overlap (Box2D gives up on those: the discrete solver has them).
fn time_of_impact(sweep: &Sweep, part: &Collider, fixed: &Collider) -> Option<f32> {
    let (core, radius) = core(part.shape());
    let target = LINEAR_SLOP.max(radius - 3.0 * LINEAR_SLOP);
    let tolerance = 0.25 * LINEAR_SLOP;
    let offset = part.position_wrt_parent().copied().unwrap_or(Pose::IDENTITY);
    // How far the core reaches from the centre of mass bounds how fast its
    // points move for a given spin.
    let aabb = core.compute_aabb(&offset);
    let reach = [aabb.mins, aabb.maxs, Vec2::new(aabb.mins.x, aabb.maxs.y), Vec2::new(aabb.maxs.x, aabb.mins.y)]
        .iter()
        .map(|p| (*p - sweep.local_com).length())
        .fold(0.0f32, f32::max);
    let speed = (sweep.c - sweep.c0).length() + (sweep.a - sweep.a0).abs() * reach;
    // Cheap rejection first: the core's box at both ends of the sweep, grown
    // by how far its corners can bulge out between them, misses the fixed
    // collider's pieces' boxes (a track's ground is one polyline whose box
    // spans every leg, its segments' boxes only the legs near them).
    let swept = core
        .compute_aabb(&(sweep.pose(0.0) * offset))
        .merged(&core.compute_aabb(&(sweep.pose(1.0) * offset)))
        .loosened(target + tolerance + (sweep.a - sweep.a0).abs() * reach)
        .transform_by(&fixed.position().inverse());
    let near = match fixed.shape().as_composite_shape() {
        Some(pieces) => pieces.bvh().intersect_aabb(&swept).next().is_some(),
        None => swept.intersects(&fixed.shape().compute_local_aabb()),
    };
    if !near {
        return None;
    }
    let mut beta = 0.0f32;
    for _ in 0..MAX_ADVANCE_ITERATIONS {
        let pose = sweep.pose(beta) * offset;
        let d = query::distance(&pose, core, fixed.position(), fixed.shape()).ok()?.distance;
        if d <= 0.0 {
            return None;
        }
        if d < target + tolerance {
            return Some(beta);
        }
        if speed <= f32::EPSILON {
            return None;
        }
        beta += (d - target) / speed;
        if beta >= 1.0 {
            return None;
        }
    }
    None
}

/// The contact points between a part at `pose` and a fixed collider whose
/// rounded shapes touch (Box2D's manifold points: separation below 0).
fn contact_points(pose: &Pose, com: Vec2, part: &Collider, fixed: &Collider, out: &mut Vec<Point>) {
    let part_pose = *pose * part.position_wrt_parent().copied().unwrap_or(Pose::IDENTITY);
    let pos12 = part_pose.inv_mul(fixed.position());
    let mut manifolds: Vec<ContactManifold<(), ()>> = Vec::new();
    let mut workspace = None;
    if DefaultQueryDispatcher
        .contact_manifolds(&pos12, part.shape(), fixed.shape(), 0.0, &mut manifolds, &mut workspace)
        .is_err()
    {
        return;
    }
    // The colliders' own combine rules, as rapier's discrete solver applies
    // them (the geometric mean for friction: Box2D's rule).
    let friction =
        CoefficientCombineRule::combine(part.friction(), fixed.friction(), part.friction_combine_rule(), fixed.friction_combine_rule());
    let restitution = CoefficientCombineRule::combine(
        part.restitution(),
        fixed.restitution(),
        part.restitution_combine_rule(),
        fixed.restitution_combine_rule(),
    );
    for m in &manifolds {
        let sub2 = m.subshape_poses.as_ref().and_then(|s| s.pos2).unwrap_or(Pose::IDENTITY);
        let n = -part_pose.transform_vector(m.local_n1);
        for p in m.points.iter().filter(|p| p.dist <= 0.0) {
            let on_part = part_pose.transform_point(p.local_p1);
            let on_fixed = fixed.position().transform_point(sub2.transform_point(p.local_p2));
            out.push(Point {
                r: (on_part + on_fixed) * 0.5 - com,
                n,
                separation: p.dist,
                friction,
                restitution,
            });
        }
    }
}

/// One time-of-impact solve (`b2Island::SolveTOI` for one dynamic body):
/// push the part out of its contacts, solve its velocity against them, and
/// move it on for the rest of the step, `h` seconds.
fn solve(sweep: &mut Sweep, points: &mut [Point], h: f32) {
    let (im, ii) = (sweep.inv_mass, sweep.inv_inertia);
    for _ in 0..POSITION_ITERATIONS {
        let mut min_separation = 0.0f32;
        for i in 0..points.len() {
            let (r, n) = (points[i].r, points[i].n);
            let c = (TOI_BAUMGARTE * (points[i].separation + LINEAR_SLOP)).clamp(-MAX_LINEAR_CORRECTION, 0.0);
            min_separation = min_separation.min(points[i].separation);
            let k = im + ii * cross(r, n).powi(2);
            let impulse = if k > 0.0 { -c / k } else { 0.0 };
            let (dc, da) = (n * (im * impulse), ii * cross(r, n * impulse));
            sweep.c0 += dc;
            sweep.a0 += da;
            for q in points.iter_mut() {
                q.separation += (dc + spin(da, q.r)).dot(q.n);
            }
        }
        if min_separation >= -1.5 * LINEAR_SLOP {
            break;
        }
    }
    let (mut v, mut w) = (sweep.v, sweep.w);
    let bias: Vec<f32> = points
        .iter()
        .map(|p| {
            let vn = (v + spin(w, p.r)).dot(p.n);
            if vn < -VELOCITY_THRESHOLD {
                -p.restitution * vn
            } else {
                0.0
            }
        })
        .collect();
    let mut normal = vec![0.0f32; points.len()];
    let mut tangent = vec![0.0f32; points.len()];
    for _ in 0..VELOCITY_ITERATIONS {
        for (i, p) in points.iter().enumerate() {
            let t = Vec2::new(p.n.y, -p.n.x);
            let vt = (v + spin(w, p.r)).dot(t);
            let k = im + ii * cross(p.r, t).powi(2);
            let max = p.friction * normal[i];
            let total = (tangent[i] - vt / k).clamp(-max, max);
            let dl = total - tangent[i];
            tangent[i] = total;
            v += t * (im * dl);
            w += ii * cross(p.r, t * dl);
        }
        for (i, p) in points.iter().enumerate() {
            let vn = (v + spin(w, p.r)).dot(p.n);
            let k = im + ii * cross(p.r, p.n).powi(2);
            let total = (normal[i] - (vn - bias[i]) / k).max(0.0);
            let dl = total - normal[i];
            normal[i] = total;
            v += p.n * (im * dl);
            w += ii * cross(p.r, p.n * dl);
        }
    }
    if (v * h).length() > MAX_TRANSLATION {
        v *= MAX_TRANSLATION / (v * h).length();
    }
    if (w * h).abs() > MAX_ROTATION {
        w *= MAX_ROTATION / (w * h).abs();
    }
    sweep.v = v;
    sweep.w = w;
    sweep.c = sweep.c0 + v * h;
    sweep.a = sweep.a0 + w * h;
    sweep.moved = true;
}

/// Runs the time-of-impact pass over the step that began at `starts`, and
/// records in `touched` each (part, fixed) pair it brought into contact.
pub fn resolve(world: &mut PhysicsWorld, starts: &[Start], touched: &mut Vec<(ColliderHandle, ColliderHandle)>) {
    let dt = world.integration_parameters.dt;
    let mut sweeps: Vec<Sweep> = starts
        .iter()
        .filter_map(|s| {
            let b = world.bodies.get(s.body)?;
            let local_com = b.local_center_of_mass();
            let m = &b.mass_properties().local_mprops;
            Some(Sweep {
                body: s.body,
                local_com,
                c0: s.c,
                a0: s.a,
                c: b.position().transform_point(local_com),
                a: s.a + wrap_angle(b.rotation().angle() - s.a),
                alpha0: 0.0,
                inv_mass: m.inv_mass,
                inv_inertia: m.inv_principal_inertia,
                v: b.linvel(),
                w: b.angvel(),
                moved: false,
            })
        })
        .collect();
    let fixed: Vec<ColliderHandle> = world
        .colliders
        .iter()
        .filter(|(_, c)| {
            !c.is_sensor() && c.parent().is_some_and(|p| world.bodies.get(p).is_some_and(|b| b.is_fixed()))
        })
        .map(|(h, _)| h)
        .collect();
    let mut pairs = Vec::new();
    for (i, s) in sweeps.iter().enumerate() {
        for &part in world.bodies[s.body].colliders() {
            let pc = &world.colliders[part];
            if pc.is_sensor() {
                continue;
            }
            for &f in &fixed {
                if pc.collision_groups().test(world.colliders[f].collision_groups()) {
                    pairs.push(Pair {
                        sweep: i,
                        part,
                        fixed: f,
                        toi: None,
                        events: 0,
                        enabled: true,
                    });
                }
            }
        }
    }
    let mut points = Vec::new();
    loop {
        let mut first: Option<(usize, f32)> = None;
        for (k, pair) in pairs.iter_mut().enumerate() {
            if !pair.enabled || pair.events > MAX_SUB_STEPS {
                continue;
            }
            let s = &sweeps[pair.sweep];
            let alpha = *pair.toi.get_or_insert_with(|| {
                time_of_impact(s, &world.colliders[pair.part], &world.colliders[pair.fixed])
                    .map_or(1.0, |beta| (s.alpha0 + (1.0 - s.alpha0) * beta).min(1.0))
            });
            if first.is_none_or(|(_, a)| alpha < a) {
                first = Some((k, alpha));
            }
        }
        let Some((k, alpha)) = first.filter(|&(_, a)| a < 1.0 - 10.0 * f32::EPSILON) else {
            break;
        };
        let si = pairs[k].sweep;
        let backup = sweeps[si];
        sweeps[si].advance(alpha);
        pairs[k].events += 1;
        let s = sweeps[si];
        let pose = s.pose(0.0);
        points.clear();
        contact_points(&pose, s.c0, &world.colliders[pairs[k].part], &world.colliders[pairs[k].fixed], &mut points);
        if points.is_empty() {
            pairs[k].enabled = false;
            sweeps[si] = backup;
            continue;
        }
        touched.push((pairs[k].part, pairs[k].fixed));
        // The part's other terrain contacts at that pose join the solve.
        for (j, other) in pairs.iter().enumerate() {
            if j != k && other.sweep == si {
                let before = points.len();
                contact_points(&pose, s.c0, &world.colliders[other.part], &world.colliders[other.fixed], &mut points);
                if points.len() > before {
                    touched.push((other.part, other.fixed));
                }
            }
        }
        solve(&mut sweeps[si], &mut points, (1.0 - alpha) * dt);
        for pair in pairs.iter_mut().filter(|p| p.sweep == si) {
            pair.toi = None;
        }
    }
    for s in sweeps.iter().filter(|s| s.moved) {
        let b = &mut world.bodies[s.body];
        b.set_position(s.pose(1.0), true);
        b.set_linvel(s.v, true);
        b.set_angvel(s.w, true);
    }
}
