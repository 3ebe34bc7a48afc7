#include "support/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "sim/io/journal.hpp"

extern char** environ;

namespace atc::test {

namespace fs = std::filesystem;

namespace {
std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

ProcessResult run_process(const std::vector<std::string>& args, const std::string& cwd) {
  TempDir io;
  const std::string out_path = io.file("stdout");
  const std::string err_path = io.file("stderr");
  const pid_t pid = spawn(args, out_path, err_path, cwd);
  int status = 0;
  waitpid(pid, &status, 0);
  ProcessResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = slurp(out_path);
  r.err = slurp(err_path);
  return r;
}

ProcessResult atcsim(const std::vector<std::string>& args, const std::string& cwd) {
  std::vector<std::string> full{fs::absolute(ATCSIM_BINARY).string()};
  full.insert(full.end(), args.begin(), args.end());
  return run_process(full, cwd);
}

TempDir::TempDir() {
  std::string templ = (fs::temp_directory_path() / "atcsim-test-XXXXXX").string();
  if (mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = templ;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

void TempDir::write(const std::string& name, const std::string& text) const {
  fs::create_directories(fs::path(file(name)).parent_path());
  std::ofstream(file(name)) << text;
}

std::string source_path(const std::string& relative) {
  return std::string(ATCSIM_SOURCE_DIR) + "/" + relative;
}

pid_t spawn(const std::vector<std::string>& args, const SpawnOptions& options) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, options.stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_addopen(&actions, 2, options.stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  if (!options.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, options.cwd.c_str());
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  short flags = 0;
  const auto set_of = [](const std::vector<int>& signals) {
    sigset_t set;
    sigemptyset(&set);
    for (const int s : signals) sigaddset(&set, s);
    return set;
  };
  if (options.blocked_signals) {
    const sigset_t mask = set_of(*options.blocked_signals);
    posix_spawnattr_setsigmask(&attr, &mask);
    flags |= POSIX_SPAWN_SETSIGMASK;
  }
  if (!options.default_signals.empty()) {
    const sigset_t defaults = set_of(options.default_signals);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    flags |= POSIX_SPAWN_SETSIGDEF;
  }
  posix_spawnattr_setflags(&attr, flags);
  std::vector<char*> argv;
  for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  struct sigaction saved_xfsz {};
  if (options.ignore_sigxfsz) {
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    sigaction(SIGXFSZ, &ignore, &saved_xfsz);
  }
  pid_t pid = 0;
  const int failed = posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), environ);
  if (options.ignore_sigxfsz) sigaction(SIGXFSZ, &saved_xfsz, nullptr);
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  if (failed != 0) throw std::runtime_error("cannot start " + args[0]);
  return pid;
}

pid_t spawn(const std::vector<std::string>& args, const std::string& stdout_path,
            const std::string& stderr_path, const std::string& cwd) {
  SpawnOptions options;
  options.stdout_path = stdout_path;
  options.stderr_path = stderr_path;
  options.cwd = cwd;
  return spawn(args, options);
}

std::string watts_config(const TempDir& dir, int n, int replicates, const std::string& extra) {
  dir.write("watts.toml",
            "[experiment]\nname = \"w\"\nsteps = 30\nreplicates = " + std::to_string(replicates) +
                "\nseed = 11\n[model]\nname = \"canonical/watts\"\nn = " + std::to_string(n) +
                "\n[[scenario]]\nname = \"z2\"\nmodel = { mean_degree = 2.0 }\n"
                "[[scenario]]\nname = \"z4\"\nmodel = { mean_degree = 4.0 }\n" +
                extra);
  return dir.file("watts.toml");
}

bool wait_for_first_record(const std::string& out, double seconds) {
  const auto deadline =
      std::chrono::steady_clock::now() +
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(seconds));
  const std::string path = out + ".journal";
  const auto journal_size = [&] {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    return ec ? std::uintmax_t{0} : size;
  };
  // The header's size, from the identity's length it holds (sim/io/journal.hpp),
  // or 0 while that field is not written.
  const auto header_bytes = [&]() -> std::uintmax_t {
    std::ifstream in(path, std::ios::binary);
    std::array<unsigned char, sizeof(std::uint64_t)> field{};
    const auto at = static_cast<std::streamoff>(atc::io::kJournalHeaderFixed - field.size());
    if (!in.seekg(at) || !in.read(reinterpret_cast<char*>(field.data()), field.size())) return 0;
    std::uint64_t n = 0;  // little-endian
    for (auto byte = field.rbegin(); byte != field.rend(); ++byte) n = n << 8U | *byte;
    return atc::io::kJournalHeaderFixed + n + atc::io::kJournalCrcBytes;
  };
  std::uintmax_t header = 0;
  while ((header = header_bytes()) == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  // The journal grows by one record per completed run.
  while (header != 0 && journal_size() <= header && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  return header != 0 && journal_size() > header;
}

}  // namespace atc::test
