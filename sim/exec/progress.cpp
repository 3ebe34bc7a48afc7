#include "sim/exec/progress.hpp"

#include <unistd.h>

#include <fmt/format.h>
#include <cmath>
#include <cstdio>

namespace atc::sim {

Progress::Style Progress::detect_style(bool quiet) {
  if (quiet) return Style::Quiet;
  return ::isatty(STDERR_FILENO) != 0 ? Style::Bar : Style::Lines;
}

Progress::Progress(Style style, std::uint64_t total_steps, std::uint64_t total_runs)
    : style_(style),
      total_steps_(total_steps),
      total_runs_(total_runs),
      start_(std::chrono::steady_clock::now()) {
  if (style_ != Style::Quiet) thread_ = std::thread([this] { loop(); });
}

Progress::~Progress() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::string format_duration(double s) {
  if (!(s >= 0) || s > 1e7) return "--";
  const long total = std::lround(s);
  if (total >= 3600) return fmt::format("{}h{:02}m", total / 3600, (total % 3600) / 60);
  if (total >= 60) return fmt::format("{}m{:02}s", total / 60, total % 60);
  return fmt::format("{}s", total);
}

std::string format_rate(double v) {
  if (v >= 1e9) return fmt::format("{:.2f}G", v / 1e9);
  if (v >= 1e6) return fmt::format("{:.2f}M", v / 1e6);
  if (v >= 1e3) return fmt::format("{:.0f}k", v / 1e3);
  return fmt::format("{:.0f}", v);
}

std::string Progress::line() const {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const auto steps = steps_.load(std::memory_order_relaxed);
  const double fraction =
      total_steps_ == 0 ? 1.0 : static_cast<double>(steps) / static_cast<double>(total_steps_);
  const double rate =
      elapsed > 0 ? static_cast<double>(agent_steps_.load(std::memory_order_relaxed)) / elapsed : 0.0;
  const double eta = fraction > 0 ? elapsed * (1.0 - fraction) / fraction : -1.0;
  std::string text = fmt::format("{:3.0f}% {}/{} runs, {} elapsed, ETA {}, {} agent-steps/s",
                                 100.0 * fraction, runs_.load(std::memory_order_relaxed), total_runs_,
                                 format_duration(elapsed), format_duration(eta), format_rate(rate));
  if (style_ == Style::Bar) {
    constexpr int kWidth = 28;
    const int filled = static_cast<int>(fraction * kWidth);
    // fmt, not `"[" + std::string(...)`: GCC 12 misreports that prepend as an
    // overlapping memcpy (-Wrestrict), fatal under ATCSIM_WERROR.
    text = fmt::format("[{}{}] {}", std::string(static_cast<std::size_t>(filled), '#'),
                       std::string(static_cast<std::size_t>(kWidth - filled), '.'), text);
  }
  return text;
}

void Progress::loop() {
  const auto period = style_ == Style::Bar ? std::chrono::milliseconds(250) : std::chrono::milliseconds(5000);
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, period, [this] { return stop_; })) {
    const std::string text = line();
    if (style_ == Style::Bar) {
      std::fprintf(stderr, "\r%s\033[K", text.c_str());
    } else {
      std::fprintf(stderr, "progress: %s\n", text.c_str());
    }
    std::fflush(stderr);
  }
}

void Progress::finish() {
  {
    std::lock_guard lock(mutex_);
    if (stop_) return;
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (style_ == Style::Quiet) return;
  const std::string text = line();
  if (style_ == Style::Bar) {
    std::fprintf(stderr, "\r%s\033[K\n", text.c_str());
  } else {
    std::fprintf(stderr, "progress: %s\n", text.c_str());
  }
  std::fflush(stderr);
}

}  // namespace atc::sim
