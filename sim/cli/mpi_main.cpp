// atcsim-mpi: the same experiments across several processes or machines.
//
//   mpirun -n 4 atcsim-mpi run CONFIG.toml [options]
//
// The options are those of `atcsim run` (sim/cli/options.cpp); --threads
// applies to each rank. Every rank validates the config (so an input error is reported once, exit
// 2, before anything runs). Runs (scenario x replicate) are dealt round-robin
// to the ranks; each rank executes its share with the usual TBB engine and
// sends each finished site to rank 0, the only writer, which marks a run
// complete once all its sites have arrived. Results are identical to a
// single-process run: a run's data depend only on (seed, replicate, site).
//
// SIGINT/SIGTERM (Ctrl-C on mpirun reaches the ranks as SIGTERM one
// odls_base_sigkill_timeout later, SIGKILL following as long after: 1 s by
// default): each rank stops at its next step boundary, as `atcsim run` does
// (sim/cli/signals.hpp); the workers say so to rank 0, which writes the
// partial view of the completed runs, says how to resume, and exits 130. A
// rank killed before that loses nothing either: the journal holds every
// completed run.
#include <oneapi/tbb/global_control.h>
#include <boost/mpi.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>

#include <fmt/format.h>
#include <cstdio>
#include <mutex>
#include <optional>
#include <thread>

#include "atc/version.hpp"
#include "models/registry.hpp"
#include "sim/cli/options.hpp"
#include "sim/cli/resume_hint.hpp"
#include "sim/cli/signals.hpp"
#include "sim/config/experiment.hpp"
#include "sim/config/toml_reader.hpp"
#include "sim/core/error.hpp"
#include "sim/core/files.hpp"
#include "sim/core/text.hpp"
#include "sim/exec/envelope.hpp"
#include "sim/exec/memory.hpp"
#include "sim/exec/runner.hpp"
#include "sim/io/writer.hpp"

namespace mpi = boost::mpi;
using namespace atc;

namespace {

// A worker's last message is kDone, kFailed (with the error) or kInterrupted.
enum Tag : int { kSite = 1, kDone = 2, kFailed = 3, kInterrupted = 4 };

struct SiteMessage {
  std::uint64_t run = 0, site = 0;  // run: Layout::run_index
  std::vector<std::vector<double>> values;
  template <class Archive>
  void serialize(Archive& ar, unsigned) {
    ar& run& site& values;
  }
};

// A worker's sink: owns the runs dealt to its rank, ships sites to rank 0.
class ForwardingSink final : public io::Sink {
 public:
  ForwardingSink(mpi::communicator& world, std::vector<char> mine, const io::Layout& layout)
      : world_(world), mine_(std::move(mine)), layout_(layout) {}
  [[nodiscard]] bool run_complete(const io::RunId& run) const override {
    return mine_[layout_.run_index(run)] == 0;
  }
  void write_site(const io::RunId& run, std::size_t site, const io::SiteSeries& series) override {
    SiteMessage m{layout_.run_index(run), site, series.values};
    std::lock_guard lock(mutex_);  // MPI is initialised for serialized use
    world_.send(0, kSite, m);
  }
  void complete_run(const io::RunId&) override {}
  void finish() override {}

 private:
  mpi::communicator& world_;
  std::vector<char> mine_;
  const io::Layout& layout_;
  std::mutex mutex_;
};

// Rank 0's own share goes straight into the file; completion is tracked by site count.
class LocalSink final : public io::Sink {
 public:
  LocalSink(io::Sink& file, std::vector<char> mine, const io::Layout& layout)
      : file_(file), mine_(std::move(mine)), layout_(layout), received_(mine_.size(), 0) {}
  [[nodiscard]] bool run_complete(const io::RunId& run) const override {
    return mine_[layout_.run_index(run)] == 0;
  }
  void write_site(const io::RunId& run, std::size_t site, const io::SiteSeries& series) override {
    file_.write_site(run, site, series);
    count(run);
  }
  void complete_run(const io::RunId&) override {}
  void finish() override {}
  void count(const io::RunId& run) {
    std::lock_guard lock(mutex_);
    if (++received_[layout_.run_index(run)] == layout_.sites) file_.complete_run(run);
  }

 private:
  io::Sink& file_;
  std::vector<char> mine_;
  const io::Layout& layout_;
  std::vector<std::size_t> received_;
  std::mutex mutex_;
};

std::string help() {
  return R"(usage: mpirun -n N atcsim-mpi run CONFIG.toml [options]

Runs the experiment exactly as `atcsim run` does, with the runs (scenario x
replicate) dealt round-robin to the MPI ranks; rank 0 writes the file. The
data equal a one-process run's for any number of ranks and threads.

)" + cli::options_help("run");
}

// Every rank's outcome of a stage; all ranks learn the worst. Rank 0 reports
// its own failure, else the lowest failing rank reports its own.
int agree(mpi::communicator& world, int code, const std::string& message) {
  int worst = 0;
  mpi::all_reduce(world, code, worst, mpi::maximum<int>());
  if (worst == 0) return 0;
  int reporter = 0;
  mpi::all_reduce(world, code != 0 ? world.rank() : world.size(), reporter, mpi::minimum<int>());
  if (world.rank() == reporter) {
    const std::string where = reporter == 0 ? "" : fmt::format(" (rank {})", reporter);
    std::fprintf(stderr, "atcsim-mpi%s: %s\n", where.c_str(), message.c_str());
  }
  return worst;
}

// Parses the command line and validates the config on every rank; rank 0
// also checks that the output can be written.
int parse_and_load(mpi::communicator& world, const std::vector<std::string>& argv, cli::Args& args,
                   sim::ExperimentSpec& spec) {
  const int rank = world.rank();
  int code = 0;
  std::string message;
  try {
    args = cli::parse(argv);
    if (args.command.empty()) throw cli::UsageError(help());
    if (args.command == "--help" || args.command == "-h" || args.command == "help" || args.help) {
      if (rank == 0) std::fputs(help().c_str(), stdout);
      return -1;
    }
    if (args.command == "--version") {
      if (rank == 0) std::printf("atcsim-mpi %s (commit %s)\n", kVersion, kGitCommit);
      return -1;
    }
    if (args.command != "run") {
      throw cli::UsageError(fmt::format("unknown command '{}'{}; atcsim-mpi has one command: run",
                                        args.command,
                                        did_you_mean(args.command, std::vector<std::string>{"run"})));
    }
    sim::LoadOptions load = cli::load_options(args);
    load.check_output_path = rank == 0;
    spec = sim::load_experiment(cli::one_config(args, help()), models::registry(), load);
    if (rank == 0) cli::print_warnings(spec, "atcsim-mpi");
    const int threads = cli::thread_count(args);
    sim::check_memory(spec, sim::estimate_memory(spec, threads), sim::available_memory(), threads);
  } catch (const cli::UsageError& e) {
    code = 2;
    message = e.what();
  } catch (const ConfigError& e) {
    code = 2;
    message = std::string("error: ") + e.what();
  }
  return agree(world, code, message);
}

// Stage 2: rank 0 opens the file (or resumes it) and tells everyone which
// runs are already complete. Every rank returns the agreed outcome.
int open_output(mpi::communicator& world, const sim::ExperimentSpec& spec, const cli::Args& args,
                const std::vector<std::string>& argv_list, const io::Layout& layout,
                std::unique_ptr<io::Hdf5Sink>& file, std::vector<char>& done) {
  std::string open_error;
  int open_code = 0;  // set by rank 0 only
  if (world.rank() == 0) {
    try {
      if (!args.resume) create_parent_directories(spec.output.path);  // checked by the loader
      file =
          std::make_unique<io::Hdf5Sink>(spec, io::FileMetadata{cli::command_line(argv_list)}, args.resume);
      if (!file->notice().empty()) std::fprintf(stderr, "atcsim-mpi: %s\n", file->notice().c_str());
      for (std::size_t k = 0; k < done.size(); ++k) done[k] = file->run_complete(layout.run_id(k)) ? 1 : 0;
    } catch (const ConfigError& e) {
      open_error = std::string("error: ") + e.what();
      open_code = 2;
    } catch (const Error& e) {
      open_error = std::string("error: ") + e.what();
      open_code = 1;
    }
  }
  if (const int opened = agree(world, open_code, open_error); opened != 0) return opened;
  mpi::broadcast(world, done, 0);
  return 0;
}

// Stage 3: the incomplete runs dealt round-robin; marks this rank's runs in `mine`.
void deal_runs(const std::vector<char>& done, int rank, std::size_t ranks, std::vector<char>& mine) {
  std::size_t position = 0;
  for (std::size_t k = 0; k < done.size(); ++k) {
    if (done[k] != 0) continue;
    const std::size_t owner = position++ % ranks;
    if (owner == static_cast<std::size_t>(rank)) mine[k] = 1;
  }
}

// A worker rank: runs its share and sends every site to rank 0, then a last
// message saying whether it finished or failed.
int run_worker(mpi::communicator& world, const sim::ExperimentSpec& spec, const io::Layout& layout,
               const std::vector<char>& mine, const sim::ExecOptions& exec) {
  ForwardingSink sink(world, mine, layout);
  try {
    sim::execute(spec, sink, exec);
    world.send(0, kDone, std::string{});
  } catch (const Interrupted&) {
    world.send(0, kInterrupted, std::string{});
    return 130;
  } catch (const std::exception& e) {
    world.send(0, kFailed, std::string(e.what()));
    return 1;
  }
  return 0;
}

// What the other ranks reported: the last failure ("" if none), and whether
// one was interrupted.
struct RemoteOutcome {
  std::string error;
  bool interrupted = false;
};

// Rank 0: receives the other ranks' sites (into the file, through `checked`)
// until every worker has said it is done, failed or was interrupted. A
// worker's messages arrive in the order it sent them, so its last message
// comes after all its sites.
RemoteOutcome receive_remote_sites(mpi::communicator& world, const io::Layout& layout,
                                   sim::EnvelopeCheck& checked, LocalSink& local) {
  RemoteOutcome outcome;
  for (int workers_left = world.size() - 1; workers_left > 0;) {
    const mpi::status st = world.probe(mpi::any_source, mpi::any_tag);
    if (st.tag() == kSite) {
      SiteMessage m;
      world.recv(st.source(), kSite, m);
      io::SiteSeries series{std::move(m.values)};
      try {
        const io::RunId run = layout.run_id(m.run);
        checked.write_site(run, m.site, series);
        local.count(run);
      } catch (const std::exception& e) {
        outcome.error = e.what();
      }
    } else {
      std::string text;
      world.recv(st.source(), st.tag(), text);
      if (st.tag() == kFailed) outcome.error = fmt::format("rank {}: {}", st.source(), text);
      if (st.tag() == kInterrupted) outcome.interrupted = true;
      --workers_left;
    }
  }
  return outcome;
}

// Rank 0: runs its own share on a thread while receiving the others' sites;
// every site goes through the plausibility check on its way to the file.
int run_writer(mpi::communicator& world, const sim::ExperimentSpec& spec, const io::Layout& layout,
               io::Hdf5Sink& file, const std::vector<char>& mine, const sim::ExecOptions& exec,
               const std::vector<std::string>& argv_list) {
  const auto ranks = static_cast<std::size_t>(world.size());
  sim::EnvelopeCheck checked(spec, layout, file);
  LocalSink local(checked, mine, layout);
  std::string local_error;
  bool local_interrupted = false;
  std::thread worker([&] {
    try {
      sim::execute(spec, local, exec);
    } catch (const Interrupted&) {
      local_interrupted = true;
    } catch (const std::exception& e) {
      local_error = e.what();
    }
  });
  const RemoteOutcome remote = receive_remote_sites(world, layout, checked, local);
  worker.join();
  std::string failure = !local_error.empty() ? local_error : remote.error;
  const bool interrupted = failure.empty() && (local_interrupted || remote.interrupted);
  if (failure.empty() && !interrupted) {
    try {
      file.finish();
      cli::ignore_stop_signals();  // the output is complete and in place
    } catch (const Error& e) {
      failure = e.what();
    }
  }
  if (!failure.empty() || interrupted) {
    try {
      file.write_partial_view();  // a readable view of the completed runs; the journal keeps them anyway
    } catch (const Error&) {
    }
    const std::string again = cli::resume_command(argv_list, fmt::format("mpirun -n {}", ranks));
    if (interrupted) {
      std::fprintf(stderr,
                   "\natcsim-mpi: interrupted; %zu completed run(s) are kept in %s\ncontinue with: %s\n",
                   file.completed_runs(), file.journal_path().c_str(), again.c_str());
      return 130;
    }
    std::fprintf(stderr, "atcsim-mpi: error: %s\ncompleted runs are kept in %s (continue with: %s)\n",
                 failure.c_str(), file.journal_path().c_str(), again.c_str());
    return 1;
  }
  std::printf("wrote %s (%zu ranks)\n", spec.output.path.c_str(), ranks);
  checked.report(stderr);
  return 0;
}

// `graceful`: emplaced once the output is about to be opened; the caller
// keeps it until every rank has agreed on the exit code (see main).
int run(mpi::communicator& world, int argc, char** argv, std::optional<cli::GracefulStop>& graceful) {
  const int rank = world.rank();
  const auto ranks = static_cast<std::size_t>(world.size());
  const std::vector<std::string> argv_list(argv, argv + argc);
  // 1. Every rank validates; all agree on the outcome before anything is written.
  cli::Args args;
  sim::ExperimentSpec spec;
  const int parsed = parse_and_load(world, argv_list, args, spec);
  if (parsed != 0) return parsed < 0 ? 0 : parsed;
  oneapi::tbb::global_control threads(oneapi::tbb::global_control::max_allowed_parallelism,
                                      static_cast<std::size_t>(cli::thread_count(args)));
  // From here a first SIGINT/SIGTERM stops the runs at a step boundary and
  // keeps the completed ones (before, nothing is written: exit at once).
  graceful.emplace();
  const io::Layout layout = io::Layout::of(spec);
  const std::size_t runs = layout.run_count();

  // 2. Rank 0 opens the file (or resumes it) and tells everyone what is done.
  std::unique_ptr<io::Hdf5Sink> file;
  std::vector<char> done(runs, 0);
  if (const int opened = open_output(world, spec, args, argv_list, layout, file, done); opened != 0) {
    return opened;
  }

  // 3. Deal the incomplete runs round-robin, then run them.
  std::vector<char> mine(runs, 0);
  deal_runs(done, rank, ranks, mine);
  sim::ExecOptions exec;
  exec.progress = rank == 0 ? sim::Progress::detect_style(args.quiet) : sim::Progress::Style::Quiet;
  if (rank != 0) return run_worker(world, spec, layout, mine, exec);
  return run_writer(world, spec, layout, *file, mine, exec, argv_list);
}

}  // namespace

// Catches everything, so that no exception leaves main: an uncaught one would
// end the process without a message (std::terminate).
int main(int argc, char** argv) {
  try {
    mpi::environment env(argc, argv, mpi::threading::serialized);
    // After MPI's initialisation, which may install handlers of its own.
    cli::install_signal_handlers("atcsim-mpi: interrupted\n");
    mpi::communicator world;
    int code = 1;
    // Graceful until the last agreement below, not only while run() runs: a
    // worker that has sent its runs waits there for rank 0, and exiting at
    // once on a Ctrl-C would make mpirun kill rank 0 while it writes.
    std::optional<cli::GracefulStop> graceful;
    try {
      code = run(world, argc, argv, graceful);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "atcsim-mpi: error (rank %d): %s\n", world.rank(), e.what());
      code = 1;
    }
    // One exit code for all: the worst. Waiting for it is graceful too (when
    // run() failed before its output was opened): the first rank to exit
    // non-zero makes mpirun signal the others, which may still be here.
    if (!graceful) graceful.emplace();
    int worst = 0;
    mpi::all_reduce(world, code, worst, mpi::maximum<int>());
    cli::ignore_stop_signals();  // every rank has agreed on the exit code
    return worst;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "atcsim-mpi: error: %s\n", e.what());
    return 1;
  } catch (...) {
    std::fputs("atcsim-mpi: internal error: unknown exception\n", stderr);
    return 1;
  }
}
