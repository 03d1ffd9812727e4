#include "core/log.h"

#include <unistd.h>

#include <cstdio>

#include <fmt/format.h>
#include <spdlog/sinks/stdout_sinks.h>

namespace upcamp {
namespace {
std::atomic<bool> g_quiet{false};
}

void InitLogging(bool quiet, bool verbose) {
  g_quiet = quiet;
  auto logger = spdlog::get("upcamp");
  if (!logger) logger = spdlog::stderr_logger_mt("upcamp");
  logger->set_pattern("upcamp: %v");
  logger->set_level(quiet ? spdlog::level::warn : verbose ? spdlog::level::debug : spdlog::level::info);
  spdlog::set_default_logger(logger);
}

bool LoggingIsQuiet() { return g_quiet; }

std::string HumanCount(double n) {
  if (n >= 1e9) return fmt::format("{:.2f}G", n / 1e9);
  if (n >= 1e6) return fmt::format("{:.2f}M", n / 1e6);
  if (n >= 1e4) return fmt::format("{:.1f}k", n / 1e3);
  return fmt::format("{:.0f}", n);
}

std::string HumanBytes(double b) {
  if (b >= 1e9) return fmt::format("{:.2f} GB", b / 1e9);
  if (b >= 1e6) return fmt::format("{:.1f} MB", b / 1e6);
  if (b >= 1e3) return fmt::format("{:.1f} kB", b / 1e3);
  return fmt::format("{:.0f} B", b);
}

Progress::Progress(std::string what, uint64_t total, std::string unit)
    : what_(std::move(what)),
      unit_(std::move(unit)),
      total_(total),
      start_(std::chrono::steady_clock::now()),
      enabled_(!g_quiet.load()),
      tty_(isatty(STDERR_FILENO) == 1) {}

Progress::~Progress() {
  if (!finished_ && tty_ && enabled_) std::fputc('\n', stderr);
}

void Progress::Add(uint64_t n) {
  done_.fetch_add(n, std::memory_order_relaxed);
  if (!enabled_) return;
  const int64_t now =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start_)
          .count();
  const int64_t interval = tty_ ? 1'000'000'000 : 10'000'000'000;
  int64_t last = last_print_ns_.load(std::memory_order_relaxed);
  if (now - last < interval) return;
  if (!last_print_ns_.compare_exchange_strong(last, now)) return;
  Print(false);
}

void Progress::Finish() {
  if (finished_) return;
  finished_ = true;
  if (enabled_) Print(true);
}

void Progress::Print(bool final_line) {
  std::lock_guard<std::mutex> lock(print_mu_);
  const double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const auto done = static_cast<double>(done_.load());
  const double rate = secs > 0 ? done / secs : 0;
  std::string line;
  if (final_line) {
    line = fmt::format("{}: {} {} in {:.1f} s ({} {}/s)", what_, HumanCount(done), unit_, secs,
                       HumanCount(rate), unit_);
  } else if (total_ > 0) {
    line = fmt::format("{}: {}/{} {} ({:.0f}%), {} {}/s", what_, HumanCount(done),
                       HumanCount(static_cast<double>(total_)), unit_,
                       100.0 * done / static_cast<double>(total_), HumanCount(rate), unit_);
  } else {
    line = fmt::format("{}: {} {}, {} {}/s", what_, HumanCount(done), unit_, HumanCount(rate), unit_);
  }
  if (tty_) {
    std::fprintf(stderr, "\rupcamp: %-70s%s", line.c_str(), final_line ? "\n" : "");
  } else {
    std::fprintf(stderr, "upcamp: %s\n", line.c_str());
  }
  std::fflush(stderr);
}

}  // namespace upcamp
