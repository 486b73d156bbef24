//! The teacher-in-the-loop: the teacher picks each episode's task, the
//! vectorised env plays it with the student's actions, the student learns
//! from every transition, and each finished episode's return goes back to
//! the teacher. Evaluation, teacher dumps and checkpoints happen on fixed
//! env-step schedules.

use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};
use trellis_agents::Student;
use trellis_core::TaskMap;
use trellis_envs::{Env, SeedState, VecEnv};
use trellis_nn::blob::Blob;
use trellis_teachers::{Episode, Teacher, TeacherContext};

use crate::eval::{EvalResult, evaluate};
use crate::rollout;
use crate::rows::{EpisodeRow, EvalRow};
use crate::run_dir::{CHECKPOINT, LogLengths, RunDir, SUMMARY, write_atomic};
use crate::{RunConfig, TrainError};

/// Counters and schedules saved in every checkpoint.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    /// Env steps so far (all instances).
    pub step: u64,
    /// Training episodes finished.
    pub episodes: u64,
    /// Step of the next evaluation.
    pub next_eval: u64,
    /// Step at which the next checkpoint falls due.
    pub next_checkpoint: u64,
    /// Step of the next teacher dump.
    pub next_dump: u64,
    /// Step of the next forgetting reset of the student (unused when 0).
    #[serde(default)]
    pub next_student_reset: u64,
    /// Forgetting resets so far.
    #[serde(default)]
    pub student_resets: u64,
    /// Times the run was resumed (varies the env seed streams after a resume).
    pub resumes: u64,
    /// Wall-clock seconds spent before the current process.
    pub seconds: f64,
    /// Task of each env instance's current episode.
    pub tasks: Vec<Vec<f64>>,
    /// Whether the student learns from each instance's current episode
    /// (the teacher's [`Proposal::learn`](trellis_teachers::Proposal)).
    #[serde(default)]
    pub learn: Vec<bool>,
    /// The env instances' seed streams, when the checkpoint was taken at an
    /// episode boundary of every instance: a resume then continues exactly
    /// as the uninterrupted run would have.
    #[serde(default)]
    pub seeds: Option<SeedState>,
    /// Log lengths at the checkpoint (resume cuts back to them).
    pub logs: LogLengths,
}

/// `summary.json`: what a finished run left.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Env steps trained.
    pub step: u64,
    /// Training episodes.
    pub episodes: u64,
    /// The final evaluation.
    pub eval: Option<EvalResult>,
    /// Throughput of the last process that trained it.
    pub steps_per_second: f64,
}

/// What a finished (or stopped) run reports.
#[derive(Clone, Debug)]
pub struct Outcome {
    /// Counters at the end.
    pub progress: Progress,
    /// The last evaluation.
    pub last_eval: Option<EvalResult>,
    /// Throughput of this process.
    pub steps_per_second: f64,
    /// The run had already reached its budget: nothing was trained or written.
    pub already_finished: bool,
}

/// One run in progress: everything the loop owns.
pub struct Trainer<E: Env + Clone> {
    /// The run's resolved config.
    pub cfg: RunConfig,
    /// Where logs and checkpoints go.
    pub dir: RunDir,
    /// The world every instance is cloned from.
    pub proto: E,
    /// The learner.
    pub student: Box<dyn Student<E::Obs, E::Act>>,
    /// Builds a new learner for forgetting resets (the argument varies its seed).
    #[allow(clippy::type_complexity)]
    pub fresh_student: Box<dyn Fn(u64) -> Result<Box<dyn Student<E::Obs, E::Act>>, TrainError>>,
    /// The curriculum.
    pub teacher: Box<dyn Teacher>,
    /// What the teacher knows of the world.
    pub ctx: TeacherContext,
    /// Between the teacher's coordinates and the world's.
    pub map: TaskMap,
    /// The evaluation tasks (world coordinates).
    pub test_set: Vec<Vec<f64>>,
    /// Counters and schedules.
    pub progress: Progress,
    /// Draw a progress bar.
    pub show_progress: bool,
}

impl<E: Env + Clone> Trainer<E>
where
    E::Obs: Clone,
{
    /// Runs until `cfg.steps` env steps, then evaluates and checkpoints.
    pub fn run(mut self) -> Result<Outcome, TrainError> {
        let n = self.cfg.envs;
        let env_seed = self.cfg.seed ^ self.progress.resumes.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let mut vec = VecEnv::new(vec![self.proto.clone(); n], self.cfg.threads, env_seed);
        if self.progress.tasks.len() != n {
            let first: Vec<_> = (0..n).map(|_| self.teacher.propose()).collect();
            self.teacher_ok()?;
            self.progress.tasks = first.iter().map(|p| self.map.to_world(&p.task)).collect();
            self.progress.learn = first.iter().map(|p| p.learn).collect();
        }
        // Checkpoints from before proposals could skip learning: learn from all.
        self.progress.learn.resize(n, true);
        let mut obs = match &self.progress.seeds {
            Some(state) if state.streams.len() == n => vec.restore(state, &self.progress.tasks)?,
            _ => vec.reset(Some(&self.progress.tasks))?,
        };
        // A checkpoint falls due on schedule and is taken at the next step
        // that ends every instance's episode (one instance: within one
        // episode), so that resuming is exact; with several instances it is
        // taken at once.
        let mut checkpoint_due = false;
        let mut last_checkpoint = Instant::now();
        let bar = self.progress_bar();
        let (t0, step0) = (Instant::now(), self.progress.step);
        let mut recent: Vec<f64> = Vec::new();
        let mut last_eval = None;
        while self.progress.step < self.cfg.steps {
            let mut failure = None;
            let mut ended = 0;
            {
                let (teacher, dir, p, map) = (
                    &mut self.teacher,
                    &mut self.dir,
                    &mut self.progress,
                    &self.map,
                );
                let learn = p.learn.clone();
                rollout::step(&mut vec, self.student.as_mut(), &mut obs, &learn, |i, stats, student| {
                    let scores = if teacher.wants_scores() { student.episode_scores(i) } else { None };
                    teacher.update(&Episode {
                        task: &map.to_teacher(&stats.task),
                        ret: stats.ret,
                        len: stats.len,
                        success: stats.success,
                        value: None,
                        scores,
                    });
                    if let Some(e) = teacher.failure() {
                        failure.get_or_insert(e.into());
                    }
                    p.episodes += 1;
                    ended += 1;
                    recent.push(stats.ret);
                    let row = EpisodeRow::new(p.step + n as u64, i, stats.ret, stats.len as u32, stats.success, &stats.task);
                    if let Err(e) = dir.episode(&row) {
                        failure.get_or_insert(e);
                    }
                    let proposal = teacher.propose();
                    if let Some(e) = teacher.failure() {
                        failure.get_or_insert(e.into());
                    }
                    let next = map.to_world(&proposal.task);
                    p.tasks[i] = next.clone();
                    p.learn[i] = proposal.learn;
                    Some(next)
                })?;
            }
            if let Some(e) = failure {
                return Err(e);
            }
            self.progress.step += n as u64;
            bar.set_position(self.progress.step);
            if self.cfg.reset_student_every > 0
                && self.progress.step >= self.progress.next_student_reset
            {
                // The forgetting student: networks, optimisers and replay buffer start over.
                self.progress.next_student_reset += self.cfg.reset_student_every;
                self.progress.student_resets += 1;
                self.student = (self.fresh_student)(self.progress.student_resets)?;
            }
            if self.progress.step >= self.progress.next_dump {
                self.progress.next_dump += self.cfg.dump_every;
                self.dump()?;
            }
            let k = recent.len().saturating_sub(50);
            recent.drain(..k);
            if self.progress.step >= self.progress.next_eval {
                self.progress.next_eval += self.cfg.eval_every;
                last_eval = Some(self.evaluate(t0, step0, &bar, &recent)?);
            }
            if !recent.is_empty() && self.progress.episodes % 10 == 0 {
                let mean = mean(&recent);
                let test = last_eval.as_ref().map_or("-".to_string(), |e: &EvalResult| {
                    format!("{:.1}, {:.0}% mastered", e.mean_return, e.mastered_pct)
                });
                bar.set_message(format!(
                    "train return {mean:.1} (last 50 episodes) · test {test}"
                ));
            }
            if self.progress.step >= self.progress.next_checkpoint {
                self.progress.next_checkpoint += self.cfg.checkpoint_every;
                checkpoint_due = true;
            }
            let minutes = self.cfg.checkpoint_minutes;
            if minutes > 0.0 && last_checkpoint.elapsed().as_secs_f64() >= 60.0 * minutes {
                checkpoint_due = true;
            }
            let boundary = ended == n;
            crate::stop::poll();
            let stop = crate::stop::requested();
            if (checkpoint_due || stop) && (boundary || n > 1) && self.progress.step < self.cfg.steps {
                checkpoint_due = false;
                self.progress.seeds = boundary.then(|| vec.seed_state());
                self.checkpoint(t0)?;
                last_checkpoint = Instant::now();
                if stop {
                    bar.abandon();
                    return Err(TrainError::Stopped(format!(
                        "stopped at step {} on request, checkpointed: `trellis train --resume {}` continues it",
                        self.progress.step,
                        self.dir.path.display()
                    )));
                }
            }
        }
        if last_eval.is_none()
            || self.progress.next_eval - self.cfg.eval_every != self.progress.step
        {
            last_eval = Some(self.evaluate(t0, step0, &bar, &recent)?);
        }
        self.progress.seeds = None;
        self.checkpoint(t0)?;
        bar.finish();
        let secs = t0.elapsed().as_secs_f64().max(1e-9);
        let outcome = Outcome {
            steps_per_second: (self.progress.step - step0) as f64 / secs,
            progress: self.progress,
            last_eval,
            already_finished: false,
        };
        let summary = Summary {
            step: outcome.progress.step,
            episodes: outcome.progress.episodes,
            eval: outcome.last_eval.clone(),
            steps_per_second: outcome.steps_per_second,
        };
        write_atomic(
            &self.dir.file(SUMMARY),
            serde_json::to_string(&summary)
                .expect("a summary serialises")
                .as_bytes(),
        )?;
        Ok(outcome)
    }

    fn progress_bar(&self) -> ProgressBar {
        steps_bar(self.show_progress, self.cfg.steps, self.progress.step)
    }

    /// One line per evaluation, kept above the bar (or on stdout without
    /// one), so the run's history stays on screen and in logs.
    fn announce(&self, bar: &ProgressBar, r: &EvalResult, recent: &[f64]) {
        let train = if recent.is_empty() {
            "-".to_string()
        } else {
            format!("{:.1}", mean(recent))
        };
        let line = format!(
            "step {:>10} · test return {:>7.1} · mastered {:>5.1}% · train return {train} (last {} episodes) · {} episodes",
            self.progress.step,
            r.mean_return,
            r.mastered_pct,
            recent.len(),
            self.progress.episodes
        );
        // A bar on a terminal keeps the line above it; without one (piped
        // output, --quiet) indicatif would drop it.
        if bar.is_hidden() {
            println!("{line}");
        } else {
            bar.println(line);
        }
    }

    /// Plays the test set, appends the eval.csv row and announces it.
    fn evaluate(
        &mut self,
        t0: Instant,
        step0: u64,
        bar: &ProgressBar,
        recent: &[f64],
    ) -> Result<EvalResult, TrainError> {
        let at = (self.cfg.seed, self.progress.step);
        let r = evaluate(&self.proto, self.student.as_mut(), &self.test_set, self.cfg.eval_policy(), at)?;
        self.teacher.on_evaluation(&r.returns);
        self.teacher_ok()?;
        let secs = self.progress.seconds + t0.elapsed().as_secs_f64();
        let sps = (self.progress.step - step0) as f64 / t0.elapsed().as_secs_f64().max(1e-9);
        self.dir.eval(&EvalRow::new(
            self.progress.step,
            self.progress.episodes,
            self.student.updates(),
            r.mean_return,
            r.mastered_pct,
            secs,
            sps,
        ))?;
        self.announce(bar, &r, recent);
        Ok(r)
    }

    fn dump(&mut self) -> Result<(), TrainError> {
        let line = serde_json::json!({
            "step": self.progress.step,
            "teacher": self.teacher.name(),
            "belief": self.teacher.belief(),
            "dump": self.teacher.dump(),
        });
        self.teacher_ok()?;
        self.dir.teacher(&line.to_string())
    }

    /// Stops the run if the teacher's last call failed (a Python teacher
    /// raised or broke its contract), before anything depending on the
    /// call is written; the last checkpoint stays as it was.
    fn teacher_ok(&mut self) -> Result<(), TrainError> {
        match self.teacher.failure() {
            Some(e) => Err(e.into()),
            None => Ok(()),
        }
    }

    /// Writes the whole state atomically; the logs are flushed first so the
    /// lengths recorded are on disk.
    fn checkpoint(&mut self, t0: Instant) -> Result<(), TrainError> {
        let mut p = self.progress.clone();
        p.logs = self.dir.sync()?;
        p.seconds += t0.elapsed().as_secs_f64();
        let mut blob = Blob::new();
        blob.put_json("progress", &p)?;
        let teacher = trellis_teachers::registry::checkpoint(self.teacher.as_ref());
        self.teacher_ok()?;
        blob.put_json("teacher", &teacher)?;
        blob.put("student", self.student.save()?);
        write_atomic(&self.dir.file(CHECKPOINT), &blob.to_bytes())
    }
}

/// The mean of the recent training returns (not empty).
fn mean(returns: &[f64]) -> f64 {
    returns.iter().sum::<f64>() / returns.len() as f64
}


/// A run's progress bar over its step budget (hidden when not shown), at `step`.
pub(crate) fn steps_bar(show: bool, steps: u64, step: u64) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(steps).with_position(step);
    bar.set_style(
        ProgressStyle::with_template("{elapsed_precise} [{bar:30}] {human_pos}/{human_len} steps · {per_sec} · eta {eta} · {msg}")
            .expect("a valid template")
            .progress_chars("=> "),
    );
    bar
}
