//! Generates a solvable text game from a task vector.
//!
//! The quest is built backwards from its last step ("put the item in the
//! target container"): the item is hidden in a closed container, which is
//! locked, whose key is hidden in turn, until the quest has the requested
//! number of sub-goals. A gold command sequence is then played on a copy of
//! the world, navigating by breadth-first search, and the generator refuses
//! to return a game its own gold path does not win.

use std::collections::VecDeque;

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::world::{Command, Dir, Entity, Id, Kind, Place, Room, SubGoal, World};

const ROOMS: [&str; 14] = [
    "kitchen",
    "hallway",
    "library",
    "cellar",
    "attic",
    "garden",
    "study",
    "pantry",
    "bedroom",
    "bathroom",
    "workshop",
    "garage",
    "greenhouse",
    "ballroom",
];
const COLOURS: [&str; 10] = [
    "red", "blue", "green", "yellow", "white", "black", "purple", "orange", "grey", "pink",
];
const ITEMS: [&str; 12] = [
    "apple", "book", "candle", "mug", "scarf", "coin", "lamp", "spoon", "shell", "feather",
    "ribbon", "glove",
];
const MATERIALS: [&str; 10] = [
    "wooden",
    "metal",
    "wicker",
    "stone",
    "glass",
    "leather",
    "cardboard",
    "silver",
    "oak",
    "tin",
];
const CONTAINERS: [&str; 6] = ["chest", "box", "crate", "basket", "cabinet", "trunk"];
const KEY_METALS: [&str; 8] = [
    "iron", "brass", "copper", "golden", "bronze", "steel", "rusty", "tiny",
];

/// The difficulty knobs, rounded from the continuous task vector.
#[derive(Clone, Debug, PartialEq)]
pub struct Knobs {
    /// Rooms on the map.
    pub rooms: usize,
    /// Objects that are not part of the quest.
    pub distractors: usize,
    /// Sub-goals chained by the quest.
    pub quest_length: usize,
    /// Share of distractor containers that are closed (and, squared, locked).
    pub closed_fraction: f64,
    /// 0: vague goal text (nouns only), 1: full names, the room and hints.
    pub goal_detail: f64,
    /// Objects the player can carry at once.
    pub inventory_limit: usize,
}

impl Knobs {
    /// Knobs from a task vector (rooms, distractors, quest length, closed
    /// fraction, goal detail, inventory limit), rounded and clamped to what can be built.
    pub fn from_task(t: &[f64]) -> Self {
        let r = |v: f64| v.round().max(0.0) as usize;
        Self {
            rooms: r(t[0]).clamp(1, ROOMS.len()),
            distractors: r(t[1]),
            quest_length: r(t[2]).max(1),
            closed_fraction: t[3].clamp(0.0, 1.0),
            goal_detail: t[4].clamp(0.0, 1.0),
            inventory_limit: r(t[5]).max(1),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
/// A generated game: its world, quest, goal text and a winning command sequence.
pub struct Game {
    /// The initial state.
    pub world: World,
    /// Sub-goals in the order the gold path achieves them; the last one wins.
    pub quest: Vec<SubGoal>,
    /// What the player is told to do.
    pub goal_text: String,
    /// A shortest known command sequence that wins (the generator checks it).
    pub gold: Vec<Command>,
}

struct Names {
    items: Vec<String>,
    containers: Vec<String>,
    keys: Vec<String>,
}

impl Names {
    fn new(rng: &mut ChaCha8Rng) -> Self {
        let mut combos = |a: &[&str], b: &[&str]| {
            let mut v: Vec<String> = a
                .iter()
                .flat_map(|x| b.iter().map(move |y| format!("{x} {y}")))
                .collect();
            shuffle(&mut v, rng);
            v
        };
        Self {
            items: combos(&COLOURS, &ITEMS),
            containers: combos(&MATERIALS, &CONTAINERS),
            keys: combos(&KEY_METALS, &["key"]),
        }
    }
}

fn shuffle<T>(v: &mut [T], rng: &mut ChaCha8Rng) {
    for i in (1..v.len()).rev() {
        v.swap(i, rng.random_range(0..=i));
    }
}

/// Rooms on a grid, each new one attached to a random earlier one: always connected.
fn rooms(n: usize, rng: &mut ChaCha8Rng) -> Vec<Room> {
    let mut names: Vec<&str> = ROOMS.to_vec();
    shuffle(&mut names, rng);
    let mut cells = vec![(0i32, 0i32)];
    let mut rooms = vec![Room {
        name: names[0].into(),
        exits: Vec::new(),
    }];
    while rooms.len() < n {
        let from = rng.random_range(0..rooms.len());
        let d = Dir::ALL[rng.random_range(0..4)];
        let (dx, dy) = d.delta();
        let cell = (cells[from].0 + dx, cells[from].1 + dy);
        if cells.contains(&cell) {
            continue;
        }
        let id = rooms.len();
        cells.push(cell);
        rooms.push(Room {
            name: names[id].into(),
            exits: vec![(d.opposite(), from)],
        });
        rooms[from].exits.push((d, id));
    }
    for r in &mut rooms {
        r.exits.sort_by_key(|(d, _)| *d as u8);
    }
    rooms
}

/// Builds a game for `k`, drawing names, layout and quest from `rng`.
pub fn generate(k: &Knobs, rng: &mut ChaCha8Rng) -> Game {
    let rooms = rooms(k.rooms, rng);
    let mut names = Names::new(rng);
    let mut entities: Vec<Entity> = Vec::new();
    fn add(entities: &mut Vec<Entity>, name: String, kind: Kind, place: Place) -> Id {
        entities.push(Entity { name, kind, place });
        entities.len() - 1
    }
    let n_rooms = rooms.len();
    let room = |rng: &mut ChaCha8Rng| rng.random_range(0..n_rooms);

    // The quest, built backwards.
    let target = add(
        &mut entities,
        names.containers.pop().expect("names"),
        Kind::Container {
            open: true,
            locked: false,
        },
        Place::Room(room(rng)),
    );
    let item = add(
        &mut entities,
        names.items.pop().expect("names"),
        Kind::Item,
        Place::Carried,
    );
    let mut back = vec![SubGoal::PutIn(item, target)];
    let mut cur = item;
    loop {
        if back.len() >= k.quest_length {
            entities[cur].place = Place::Room(room(rng));
            break;
        }
        back.push(SubGoal::Take(cur));
        if back.len() >= k.quest_length {
            entities[cur].place = Place::Room(room(rng));
            break;
        }
        let c = add(
            &mut entities,
            names.containers.pop().expect("names"),
            Kind::Container {
                open: false,
                locked: false,
            },
            Place::Room(room(rng)),
        );
        entities[cur].place = Place::In(c);
        back.push(SubGoal::Open(c));
        if back.len() >= k.quest_length || names.keys.is_empty() {
            break;
        }
        let key_name = names.keys.pop().expect("names");
        entities[c].kind = Kind::Container {
            open: false,
            locked: true,
        };
        cur = add(
            &mut entities,
            key_name,
            Kind::Key { opens: c },
            Place::Carried,
        );
        back.push(SubGoal::Unlock(c));
    }
    back.reverse();

    // Distractors: one container in three, items on floors or in those containers.
    let mut boxes: Vec<Id> = Vec::new();
    for i in 0..k.distractors {
        if i % 3 == 2 && !names.containers.is_empty() {
            let closed = rng.random::<f64>() < k.closed_fraction;
            let locked =
                closed && !names.keys.is_empty() && rng.random::<f64>() < k.closed_fraction;
            let c = add(
                &mut entities,
                names.containers.pop().expect("names"),
                Kind::Container {
                    open: !closed,
                    locked,
                },
                Place::Room(room(rng)),
            );
            if locked {
                add(
                    &mut entities,
                    names.keys.pop().expect("names"),
                    Kind::Key { opens: c },
                    Place::Room(room(rng)),
                );
            }
            boxes.push(c);
        } else if let Some(name) = names.items.pop() {
            let place = if !boxes.is_empty() && rng.random::<bool>() {
                Place::In(boxes[rng.random_range(0..boxes.len())])
            } else {
                Place::Room(room(rng))
            };
            add(&mut entities, name, Kind::Item, place);
        }
    }

    let world = World {
        rooms,
        entities,
        player: 0,
        inventory_limit: k.inventory_limit,
    };
    let goal_text = goal_text(&world, &back, k.goal_detail);
    let gold = gold_path(&world, &back);
    Game {
        world,
        quest: back,
        goal_text,
        gold,
    }
}

fn room_of(w: &World, mut e: Id) -> usize {
    loop {
        match w.entities[e].place {
            Place::Room(r) => return r,
            Place::In(c) => e = c,
            Place::Carried => return w.player,
        }
    }
}

/// Shortest list of moves between rooms.
fn route(w: &World, from: usize, to: usize) -> Vec<Dir> {
    let mut prev: Vec<Option<(usize, Dir)>> = vec![None; w.rooms.len()];
    let mut seen = vec![false; w.rooms.len()];
    let mut q = VecDeque::from([from]);
    seen[from] = true;
    while let Some(r) = q.pop_front() {
        for &(d, next) in &w.rooms[r].exits {
            if !seen[next] {
                seen[next] = true;
                prev[next] = Some((r, d));
                q.push_back(next);
            }
        }
    }
    let mut path = Vec::new();
    let mut at = to;
    while let Some((p, d)) = prev[at] {
        path.push(d);
        at = p;
    }
    path.reverse();
    path
}

/// Plays the quest on a copy of the world; panics if a step fails, which
/// would be a generator bug (tests replay it for many random tasks). Objects
/// a step needs in hand (the key for an unlock, the item for the final put)
/// are fetched first even when taking them is not itself a sub-goal.
fn gold_path(w0: &World, quest: &[SubGoal]) -> Vec<Command> {
    let mut w = w0.clone();
    let mut cmds = Vec::new();
    let run = |w: &mut World, c: Command, cmds: &mut Vec<Command>| {
        w.apply(&c);
        cmds.push(c);
    };
    // Walks to the room holding entity `e`.
    let goto = |w: &mut World, e: Id, cmds: &mut Vec<Command>| {
        let room = room_of(w, e);
        for d in route(w, w.player, room) {
            run(w, Command::Go(d), cmds);
        }
    };
    let fetch = |w: &mut World, e: Id, now: &SubGoal, cmds: &mut Vec<Command>| {
        if w.entities[e].place == Place::Carried {
            return;
        }
        goto(w, e, cmds);
        if w.carried().count() >= w.inventory_limit {
            // Free a hand: drop something the rest of the quest no longer needs.
            let spare = w
                .carried()
                .find(|&x| !quest_needs_carried(w, quest, now, x))
                .expect("something to drop");
            run(w, Command::Drop(spare), cmds);
        }
        run(w, Command::Take(e), cmds);
    };
    for g in quest {
        match *g {
            SubGoal::Take(e) => fetch(&mut w, e, g, &mut cmds),
            SubGoal::Open(c) => {
                goto(&mut w, c, &mut cmds);
                run(&mut w, Command::Open(c), &mut cmds);
            }
            SubGoal::Unlock(c) => {
                let key = (0..w.entities.len())
                    .find(|&k| matches!(w.entities[k].kind, Kind::Key { opens } if opens == c))
                    .expect("every locked quest container has a key");
                fetch(&mut w, key, g, &mut cmds);
                goto(&mut w, c, &mut cmds);
                run(&mut w, Command::Unlock(c, key), &mut cmds);
            }
            SubGoal::PutIn(e, c) => {
                fetch(&mut w, e, g, &mut cmds);
                goto(&mut w, c, &mut cmds);
                run(&mut w, Command::PutIn(e, c), &mut cmds);
            }
        }
        assert!(w.achieved(g), "gold path failed at {g:?}");
    }
    cmds
}

/// Whether a carried entity is still needed after sub-goal `now`.
fn quest_needs_carried(w: &World, quest: &[SubGoal], now: &SubGoal, x: Id) -> bool {
    quest.iter().skip_while(|g| *g != now).any(|g| match *g {
        SubGoal::PutIn(e, _) => e == x,
        SubGoal::Unlock(c) => matches!(w.entities[x].kind, Kind::Key { opens } if opens == c),
        _ => false,
    })
}

fn goal_text(w: &World, quest: &[SubGoal], detail: f64) -> String {
    let Some(&SubGoal::PutIn(item, target)) = quest.last() else {
        unreachable!("quests end with a put")
    };
    let noun = |e: Id| {
        w.entities[e]
            .name
            .rsplit(' ')
            .next()
            .unwrap_or_default()
            .to_string()
    };
    if detail < 1.0 / 3.0 {
        return format!("Your task: put the {} in a {}.", noun(item), noun(target));
    }
    let mut s = format!(
        "Your task: put the {} in the {}",
        w.entities[item].name, w.entities[target].name
    );
    if detail >= 2.0 / 3.0 {
        s.push_str(&format!(" in the {}", w.rooms[room_of(w, target)].name));
    }
    s.push('.');
    if detail >= 0.9 {
        // Say where everything on the quest path is.
        for g in quest {
            if let SubGoal::Take(e) = *g {
                s.push_str(&format!(
                    " The {} is in the {}.",
                    w.entities[e].name,
                    w.rooms[room_of(w, e)].name
                ));
            }
        }
    }
    s
}
