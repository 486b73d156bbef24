//! The state of a text world and what commands do to it.
//!
//! Entities live in a flat arena; an object is in a room, inside a
//! container, or carried. Commands are parsed from free text against the
//! names of the entities, so a person, an RL agent choosing among the
//! admissible commands, or an LLM all drive the same code.

use std::fmt::Write;

/// Index of an entity in `World::entities`.
pub type Id = usize;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
/// A compass direction between rooms.
pub enum Dir {
    /// North.
    North,
    /// South.
    South,
    /// East.
    East,
    /// West.
    West,
}

impl Dir {
    /// The four directions, in command order.
    pub const ALL: [Dir; 4] = [Dir::North, Dir::South, Dir::East, Dir::West];

    /// The word the parser reads.
    pub fn name(self) -> &'static str {
        match self {
            Dir::North => "north",
            Dir::South => "south",
            Dir::East => "east",
            Dir::West => "west",
        }
    }

    /// The way back.
    pub fn opposite(self) -> Dir {
        match self {
            Dir::North => Dir::South,
            Dir::South => Dir::North,
            Dir::East => Dir::West,
            Dir::West => Dir::East,
        }
    }

    /// Grid step (x, y) of the map.
    pub fn delta(self) -> (i32, i32) {
        match self {
            Dir::North => (0, 1),
            Dir::South => (0, -1),
            Dir::East => (1, 0),
            Dir::West => (-1, 0),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
/// A room.
pub struct Room {
    /// Its name.
    pub name: String,
    /// Exits: direction and the room it leads to.
    pub exits: Vec<(Dir, usize)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
/// Where an entity is.
pub enum Place {
    /// On the floor of a room.
    Room(usize),
    /// Inside a container.
    In(Id),
    /// In the player's inventory.
    Carried,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
/// What an entity is.
pub enum Kind {
    /// A plain object.
    Item,
    /// A key opens exactly one container.
    Key {
        /// The container it unlocks.
        opens: Id,
    },
    /// Something that holds entities.
    Container {
        /// Open now.
        open: bool,
        /// Locked (opens only after unlocking with its key).
        locked: bool,
    },
}

#[derive(Clone, Debug, PartialEq)]
/// An object of the world.
pub struct Entity {
    /// Its name (unique in a game).
    pub name: String,
    /// What it is.
    pub kind: Kind,
    /// Where it is.
    pub place: Place,
}

/// A fact whose first achievement is worth +1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SubGoal {
    /// The player holds the entity.
    Take(Id),
    /// The container is open.
    Open(Id),
    /// The container is unlocked.
    Unlock(Id),
    /// The entity is in the container.
    PutIn(Id, Id),
}

#[derive(Clone, Debug, PartialEq)]
/// A parsed command.
pub enum Command {
    /// Describe the room.
    Look,
    /// List what is carried.
    Inventory,
    /// Move through an exit.
    Go(Dir),
    /// Pick an entity up.
    Take(Id),
    /// Put a carried entity down.
    Drop(Id),
    /// Open a container.
    Open(Id),
    /// Close a container.
    Close(Id),
    /// Unlock a container with a key.
    Unlock(Id, Id),
    /// Put a carried entity into a container.
    PutIn(Id, Id),
    /// Describe an entity.
    Examine(Id),
}

#[derive(Clone, Debug, PartialEq)]
/// The state of a game.
pub struct World {
    /// The map.
    pub rooms: Vec<Room>,
    /// Every object.
    pub entities: Vec<Entity>,
    /// The room the player is in.
    pub player: usize,
    /// Objects the player can carry at once.
    pub inventory_limit: usize,
}

impl World {
    /// The entities the player carries.
    pub fn carried(&self) -> impl Iterator<Item = Id> + '_ {
        (0..self.entities.len()).filter(|&i| self.entities[i].place == Place::Carried)
    }

    fn is_open_container(&self, c: Id) -> bool {
        matches!(self.entities[c].kind, Kind::Container { open: true, .. })
    }

    /// Is `e` in the player's room, carried, or inside an open container that is?
    pub fn reachable(&self, e: Id) -> bool {
        match self.entities[e].place {
            Place::Carried => true,
            Place::Room(r) => r == self.player,
            Place::In(c) => self.is_open_container(c) && self.reachable(c),
        }
    }

    /// Entities visible where the player stands (not carried).
    pub fn visible(&self) -> Vec<Id> {
        (0..self.entities.len())
            .filter(|&e| self.entities[e].place != Place::Carried && self.reachable(e))
            .collect()
    }

    /// What happens: feedback text, and whether the world changed.
    pub fn apply(&mut self, cmd: &Command) -> String {
        use Command as C;
        match *cmd {
            C::Look => self.describe_room(),
            C::Inventory => self.describe_inventory(),
            C::Go(d) => match self.rooms[self.player].exits.iter().find(|(x, _)| *x == d) {
                Some(&(_, r)) => {
                    self.player = r;
                    self.describe_room()
                }
                None => "You can't go that way.".into(),
            },
            C::Take(e) => {
                if !self.reachable(e) {
                    return format!("You can't see any {} here.", self.entities[e].name);
                }
                if matches!(self.entities[e].kind, Kind::Container { .. }) {
                    return format!("The {} is too heavy to carry.", self.entities[e].name);
                }
                if self.entities[e].place == Place::Carried {
                    return format!("You already have the {}.", self.entities[e].name);
                }
                if self.carried().count() >= self.inventory_limit {
                    return "You are carrying too much. Drop something first.".into();
                }
                self.entities[e].place = Place::Carried;
                format!("You take the {}.", self.entities[e].name)
            }
            C::Drop(e) => {
                if self.entities[e].place != Place::Carried {
                    return format!("You don't have the {}.", self.entities[e].name);
                }
                self.entities[e].place = Place::Room(self.player);
                format!("You drop the {}.", self.entities[e].name)
            }
            C::Open(c) | C::Close(c) => {
                let opening = matches!(cmd, C::Open(_));
                if !self.reachable(c) {
                    return format!("You can't see any {} here.", self.entities[c].name);
                }
                let name = self.entities[c].name.clone();
                match &mut self.entities[c].kind {
                    Kind::Container { locked: true, .. } if opening => {
                        format!("The {name} is locked.")
                    }
                    Kind::Container { open, .. } if *open == opening => {
                        format!(
                            "The {name} is already {}.",
                            if opening { "open" } else { "closed" }
                        )
                    }
                    Kind::Container { open, .. } => {
                        *open = opening;
                        if opening {
                            format!("You open the {name}.{}", self.contents_sentence(c))
                        } else {
                            format!("You close the {name}.")
                        }
                    }
                    _ => format!("The {name} can't be opened."),
                }
            }
            C::Unlock(c, k) => {
                if !self.reachable(c) {
                    return format!("You can't see any {} here.", self.entities[c].name);
                }
                if self.entities[k].place != Place::Carried {
                    return format!("You don't have the {}.", self.entities[k].name);
                }
                let fits = matches!(self.entities[k].kind, Kind::Key { opens } if opens == c);
                let name = self.entities[c].name.clone();
                match &mut self.entities[c].kind {
                    Kind::Container { locked, .. } if *locked && fits => {
                        *locked = false;
                        format!("You unlock the {name}.")
                    }
                    Kind::Container { locked: true, .. } => {
                        format!("The {} doesn't fit the {name}.", self.entities[k].name)
                    }
                    Kind::Container { .. } => format!("The {name} isn't locked."),
                    _ => format!("The {name} has no lock."),
                }
            }
            C::PutIn(e, c) => {
                if self.entities[e].place != Place::Carried {
                    return format!("You don't have the {}.", self.entities[e].name);
                }
                if !self.reachable(c) || !matches!(self.entities[c].kind, Kind::Container { .. }) {
                    return format!("You can't put anything in the {}.", self.entities[c].name);
                }
                if !self.is_open_container(c) {
                    return format!("The {} is closed.", self.entities[c].name);
                }
                self.entities[e].place = Place::In(c);
                format!(
                    "You put the {} in the {}.",
                    self.entities[e].name, self.entities[c].name
                )
            }
            C::Examine(e) => {
                if !self.reachable(e) {
                    return format!("You can't see any {} here.", self.entities[e].name);
                }
                match self.entities[e].kind {
                    Kind::Container {
                        open: false,
                        locked,
                        ..
                    } => {
                        format!(
                            "The {} is closed{}.",
                            self.entities[e].name,
                            if locked { " and locked" } else { "" }
                        )
                    }
                    Kind::Container { .. } => format!(
                        "The {} is open.{}",
                        self.entities[e].name,
                        self.contents_sentence(e)
                    ),
                    Kind::Key { opens } => format!(
                        "A {}. It looks like it fits a {}.",
                        self.entities[e].name, self.entities[opens].name
                    ),
                    Kind::Item => format!("A perfectly ordinary {}.", self.entities[e].name),
                }
            }
        }
    }

    fn contents_sentence(&self, c: Id) -> String {
        let inside: Vec<&str> = self
            .entities
            .iter()
            .filter(|x| x.place == Place::In(c))
            .map(|x| x.name.as_str())
            .collect();
        if inside.is_empty() {
            " It is empty.".into()
        } else {
            format!(" Inside you see: {}.", inside.join(", "))
        }
    }

    /// What `look` prints.
    pub fn describe_room(&self) -> String {
        let room = &self.rooms[self.player];
        let mut s = format!("-= {} =-\n", capitalise(&room.name));
        let here: Vec<&str> = self
            .entities
            .iter()
            .filter(|e| e.place == Place::Room(self.player))
            .map(|e| e.name.as_str())
            .collect();
        if here.is_empty() {
            s.push_str("The room is empty.");
        } else {
            let _ = write!(s, "You see: {}.", here.join(", "));
        }
        let exits: Vec<&str> = room.exits.iter().map(|(d, _)| d.name()).collect();
        let _ = write!(s, "\nExits: {}.", exits.join(", "));
        s
    }

    /// What `inventory` prints.
    pub fn describe_inventory(&self) -> String {
        let items: Vec<&str> = self
            .carried()
            .map(|e| self.entities[e].name.as_str())
            .collect();
        if items.is_empty() {
            "You are carrying nothing.".into()
        } else {
            format!("You are carrying: {}.", items.join(", "))
        }
    }

    /// Whether the fact `g` holds now.
    pub fn achieved(&self, g: &SubGoal) -> bool {
        match *g {
            SubGoal::Take(e) => self.entities[e].place == Place::Carried,
            SubGoal::Open(c) => self.is_open_container(c),
            SubGoal::Unlock(c) => {
                matches!(self.entities[c].kind, Kind::Container { locked: false, .. })
            }
            SubGoal::PutIn(e, c) => self.entities[e].place == Place::In(c),
        }
    }

    /// Every command that would do something here, in a fixed order.
    pub fn admissible(&self) -> Vec<Command> {
        let mut out = vec![Command::Look, Command::Inventory];
        out.extend(
            self.rooms[self.player]
                .exits
                .iter()
                .map(|(d, _)| Command::Go(*d)),
        );
        let carried: Vec<Id> = self.carried().collect();
        for e in self.visible() {
            match self.entities[e].kind {
                Kind::Container { open, locked } => {
                    if !open && !locked {
                        out.push(Command::Open(e));
                    }
                    if open {
                        out.push(Command::Close(e));
                        out.extend(carried.iter().map(|&x| Command::PutIn(x, e)));
                    }
                    if locked {
                        out.extend(
                            carried
                                .iter()
                                .filter(|&&k| matches!(self.entities[k].kind, Kind::Key { .. }))
                                .map(|&k| Command::Unlock(e, k)),
                        );
                    }
                }
                _ => {
                    if carried.len() < self.inventory_limit {
                        out.push(Command::Take(e));
                    }
                }
            }
        }
        out.extend(carried.iter().map(|&e| Command::Drop(e)));
        out
    }

    /// The command as a player would type it.
    pub fn render(&self, c: &Command) -> String {
        let n = |e: Id| self.entities[e].name.as_str();
        match *c {
            Command::Look => "look".into(),
            Command::Inventory => "inventory".into(),
            Command::Go(d) => format!("go {}", d.name()),
            Command::Take(e) => format!("take {}", n(e)),
            Command::Drop(e) => format!("drop {}", n(e)),
            Command::Open(e) => format!("open {}", n(e)),
            Command::Close(e) => format!("close {}", n(e)),
            Command::Unlock(e, k) => format!("unlock {} with {}", n(e), n(k)),
            Command::PutIn(e, c) => format!("put {} in {}", n(e), n(c)),
            Command::Examine(e) => format!("examine {}", n(e)),
        }
    }

    /// Parses free text ("take the red apple", "n", "unlock chest with key").
    pub fn parse(&self, text: &str) -> Result<Command, String> {
        let words: Vec<String> = text
            .to_lowercase()
            .split_whitespace()
            .filter(|w| !matches!(*w, "the" | "a" | "an"))
            .map(str::to_string)
            .collect();
        let joined = words.join(" ");
        let dont = || format!("I don't understand \"{}\".", text.trim());
        let entity = |phrase: &str| -> Result<Id, String> {
            let phrase = phrase.trim();
            if phrase.is_empty() {
                return Err(dont());
            }
            // Exact name first, then a unique entity whose name contains the phrase.
            if let Some(i) = self.entities.iter().position(|e| e.name == phrase) {
                return Ok(i);
            }
            let hits: Vec<Id> = (0..self.entities.len())
                .filter(|&i| {
                    self.entities[i].name.split(' ').any(|w| w == phrase)
                        || self.entities[i].name.ends_with(phrase)
                })
                .collect();
            match hits.as_slice() {
                [one] => Ok(*one),
                [] => Err(format!("You can't see any {phrase} here.")),
                _ => Err(format!("Which {phrase} do you mean?")),
            }
        };
        let (verb, rest) = match joined.split_once(' ') {
            Some((v, r)) => (v, r),
            None => (joined.as_str(), ""),
        };
        let dir = |w: &str| {
            Dir::ALL
                .into_iter()
                .find(|d| d.name() == w || d.name()[..1] == *w)
        };
        match verb {
            "look" | "l" => Ok(Command::Look),
            "inventory" | "i" | "inv" => Ok(Command::Inventory),
            "go" | "walk" => dir(rest).map(Command::Go).ok_or_else(dont),
            "n" | "s" | "e" | "w" | "north" | "south" | "east" | "west" if rest.is_empty() => {
                dir(verb).map(Command::Go).ok_or_else(dont)
            }
            "take" | "get" | "pick" => {
                entity(rest.strip_prefix("up ").unwrap_or(rest)).map(Command::Take)
            }
            "drop" => entity(rest).map(Command::Drop),
            "open" => entity(rest).map(Command::Open),
            "close" => entity(rest).map(Command::Close),
            "examine" | "x" => entity(rest).map(Command::Examine),
            "unlock" => {
                let (c, k) = rest.split_once(" with ").ok_or_else(dont)?;
                Ok(Command::Unlock(entity(c)?, entity(k)?))
            }
            "put" | "insert" => {
                let (e, c) = rest
                    .split_once(" in ")
                    .or_else(|| rest.split_once(" into "))
                    .ok_or_else(dont)?;
                Ok(Command::PutIn(entity(e)?, entity(c)?))
            }
            _ => Err(dont()),
        }
    }
}

/// `s` with its first letter upper-case.
pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map_or_else(String::new, |f| {
        f.to_uppercase().collect::<String>() + c.as_str()
    })
}
