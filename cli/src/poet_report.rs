//! `trellis report RUN` for a POET or Enhanced POET run: the population it
//! reached (each pair's environment as a picture, and with `--pictures` a
//! GIF of its agent there), every pair's score over the run, and what
//! happened to the population (admissions, retirements, transfers).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use trellis_teachers::open_ended::Event;
use trellis_train::drive::{Drive, Drivers};
use trellis_train::open_ended::{EVENTS, PAIRS, POPULATION, Population, load_population};

use crate::pictures::{POLICY, THUMB, fmt_task};
use crate::record::episode;

/// Is `dir` a POET run?
pub fn is_poet(dir: &Path) -> bool {
    dir.join(POPULATION).exists()
}

/// Writes `out/report.md` (and its figures) for the POET run in `dir`;
/// `gifs`: film each active pair's agent in its environment.
pub fn write(dir: &Path, out: &Path, gifs: bool) -> Result<PathBuf> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let pop = Population::read(dir)?;
    let events: Vec<Event> = std::fs::read_to_string(dir.join(EVENTS))
        .with_context(|| format!("reading {}", dir.join(EVENTS).display()))?
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let count = |f: fn(&Event) -> bool| events.iter().filter(|e| f(e)).count();
    let mut md = format!(
        "# {} · {}\n\n{} iterations, {} env steps · {} active pairs, {} archived · {} children admitted, {} refused, {} transfers\n\n",
        dir.display(),
        pop.teacher,
        pop.iteration,
        pop.steps,
        pop.active.len(),
        pop.archive.len(),
        count(|e| matches!(e, Event::Admitted { .. })),
        count(|e| matches!(e, Event::Rejected { .. })),
        count(|e| matches!(e, Event::Transferred { .. })),
    );
    scores_figure(dir, out)?;
    md += "![every pair's score (mean of its evaluation episodes) over the run](scores.png)\n\n";
    md += &format!("## The population\n\nEncoding: {}.\n\n", pop.dims.join(", "));
    md += "| pair | state | parent | admitted at | encoding | latest score | environment |\n|---|---|---|---|---|---|---|\n";
    let mut replay = load_population(dir)?;
    let mut still = Drivers::new(None, 0);
    let mut pics = Vec::new();
    for (p, _, task) in &replay.pairs {
        pics.push((p.clone(), "active", task.clone()));
    }
    for (p, task) in &replay.archive {
        pics.push((p.clone(), "archived", task.clone()));
    }
    for (p, state, task) in &pics {
        let name = format!("pair-{}.png", p.id);
        episode(&mut replay.env, &mut still, Drive::Still, task, 0, THUMB, &out.join(&name))?;
        let _ = writeln!(
            md,
            "| {} | {state} | {} | {} | {} | {} | ![pair {}]({name}) |",
            p.id,
            p.parent.map_or("-".into(), |x| x.to_string()),
            p.created_at,
            fmt_task(&p.env),
            p.scores.last().map_or("-".into(), |s| format!("{s:.1}")),
            p.id
        );
    }
    if gifs {
        md += "\n## Each active agent in its environment (last checkpoint, its mean action)\n\n";
        for (p, student, task) in replay.pairs {
            let name = format!("pair-{}.gif", p.id);
            let mut drivers = Drivers::new(Some(student), 0);
            let take = episode(&mut replay.env, &mut drivers, Drive::Policy, &task, 0, POLICY, &out.join(&name))?;
            let _ = writeln!(
                md,
                "![pair {}]({name})\n\npair {} · {} · this episode {:.1} in {} steps{}\n",
                p.id,
                p.id,
                fmt_task(&p.env),
                take.ret,
                take.steps,
                if take.success { " · success" } else { "" }
            );
        }
    }
    md += "\n## Transfers\n\n";
    let transfers: Vec<&Event> = events.iter().filter(|e| matches!(e, Event::Transferred { .. })).collect();
    if transfers.is_empty() {
        md += "None.\n";
    } else {
        md += "| iteration | into pair | from pair | kind | score | had to beat |\n|---|---|---|---|---|---|\n";
        for e in transfers {
            if let Event::Transferred { iteration, target, source, proposal, score, incumbent } = e {
                let kind = if *proposal { "fine-tuned" } else { "direct" };
                let _ = writeln!(md, "| {iteration} | {target} | {source} | {kind} | {score:.1} | {incumbent:.1} |");
            }
        }
    }
    let path = out.join("report.md");
    std::fs::write(&path, md).with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

/// scores.{png,svg}: one line per pair, its score after each iteration.
fn scores_figure(dir: &Path, out: &Path) -> Result<()> {
    use trellis_sweep::plots::{Curve, Curves, Measure, save};
    let text = std::fs::read_to_string(dir.join(PAIRS)).with_context(|| format!("reading {}", dir.join(PAIRS).display()))?;
    let mut lines: BTreeMap<u32, Vec<(f64, f64, f64)>> = BTreeMap::new();
    for row in text.lines().skip(1) {
        let f: Vec<&str> = row.split(',').collect();
        if let (Some(step), Some(pair), Some(score)) = (f.get(1), f.get(2), f.get(3))
            && let (Ok(step), Ok(pair), Ok(score)) = (step.parse::<f64>(), pair.parse::<u32>(), score.parse::<f64>())
            && score.is_finite()
        {
            lines.entry(pair).or_default().push((step, score, 0.0));
        }
    }
    let curves = lines
        .into_iter()
        .map(|(id, points)| Curve { name: format!("pair {id}"), colour: id as usize + 1, points })
        .collect();
    save(&Curves { title: "each pair's score in its environment".into(), measure: Measure::Score, curves }, &out.join("scores"))
}
