#pragma once
// One progress reporter on stderr: a bar with ETA and agent-steps/s on a
// terminal, a plain line every few seconds otherwise (logs, CI), nothing with
// --quiet. Workers only bump atomic counters; a background thread prints.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace atc::sim {

class Progress {
 public:
  enum class Style { Quiet, Bar, Lines };
  static Style detect_style(bool quiet);  // Bar if stderr is a terminal

  Progress(Style style, std::uint64_t total_steps, std::uint64_t total_runs);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void add(std::uint64_t steps, std::uint64_t agent_steps) {
    steps_.fetch_add(steps, std::memory_order_relaxed);
    agent_steps_.fetch_add(agent_steps, std::memory_order_relaxed);
  }
  void run_done() { runs_.fetch_add(1, std::memory_order_relaxed); }
  // Stops the reporter and prints the final line.
  void finish();

  [[nodiscard]] std::string line() const;  // current status text (tested)

 private:
  void loop();
  Style style_;
  std::uint64_t total_steps_;
  std::uint64_t total_runs_;
  std::atomic<std::uint64_t> steps_{0};
  std::atomic<std::uint64_t> agent_steps_{0};
  std::atomic<std::uint64_t> runs_{0};
  std::chrono::steady_clock::time_point start_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

std::string format_duration(double seconds);  // "1h02m", "3m05s", "12s"
std::string format_rate(double per_second);   // "3.20M", "850k"

}  // namespace atc::sim
