#pragma once
// Logging (spdlog, to stderr) and progress reporting for long work. Results go to files or
// stdout; everything for humans goes to stderr so that stdout stays scriptable.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

#include <spdlog/spdlog.h>

namespace upcamp {

/// Configures the default logger: stderr, `upcamp: ` prefix; quiet => warnings and errors only;
/// verbose => debug.
void InitLogging(bool quiet, bool verbose = false);
bool LoggingIsQuiet();

/// Progress of a long operation, e.g. "synth: purchases 1.2M/8.0M rows (15%) 2.1M rows/s".
/// Thread-safe Add(); prints at most once a second (on a terminal: in place, else every 10 s as
/// a new line), nothing when quiet. Finish() prints the total and rate once.
class Progress {
 public:
  Progress(std::string what, uint64_t total, std::string unit);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void Add(uint64_t n);
  void Finish();

 private:
  void Print(bool final_line);

  std::string what_, unit_;
  uint64_t total_;
  std::atomic<uint64_t> done_{0};
  std::chrono::steady_clock::time_point start_;
  std::atomic<int64_t> last_print_ns_{0};
  std::mutex print_mu_;
  bool enabled_, tty_, finished_ = false;
};

/// "1.2M", "340k", "17" — for human-readable counts.
std::string HumanCount(double n);
/// "1.5 GB", "12.0 MB".
std::string HumanBytes(double bytes);

}  // namespace upcamp
