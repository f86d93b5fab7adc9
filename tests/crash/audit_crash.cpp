// Audit-log crash driver: a writer process appends decision records to one log with
// append_audit_line (the call behind `tenuo verify --audit-log`) and acknowledges each record on
// a pipe once the call has returned success; the driver kills it with SIGKILL at a random
// instant, collects the acknowledgements, and starts the next writer on the same log.
//
//   tenuo_audit_crash LOG ACKS WARRANT_FILE TRIALS SEED
//
// Writes every acknowledged sequence number to ACKS (one per line) and a summary line to
// stdout. Record i of trial t has sequence t * 1000 + i (the calibration runs use trial numbers
// 1 000 000..1 000 004) and arguments {"data": <filler(seq)>, "seq": seq}; the filler's size
// cycles through small, page-sized and large (up to 256 KiB), so some kills land inside a write. Checking the log is the caller's
// job (tests/crash/test_audit_crash.sh), with an independent parser and `tenuo audit-replay`.
#include <tenuo/audit_log.hpp>
#include <tenuo/encoding.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

namespace {

constexpr std::int64_t kT0 = 1704067200;  // 2024-01-01T00:00:00Z
constexpr int kRecordsPerTrial = 6;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "audit_crash: %s\n", what.c_str());
  std::exit(2);
}

std::size_t filler_size(std::int64_t seq) {
  static constexpr std::size_t kSizes[kRecordsPerTrial] = {40, 3000, 70000, 200, 262144, 9000};
  return kSizes[static_cast<std::size_t>(seq % kRecordsPerTrial)];
}

std::string filler(std::int64_t seq) {
  std::string s(filler_size(seq), 'a');
  for (std::size_t i = 0; i < s.size(); ++i)
    s[i] = static_cast<char>('a' + static_cast<int>((static_cast<std::size_t>(seq) + i) % 26));
  return s;
}

std::string record_line(std::int64_t seq, const tenuo::Bytes& chain) {
  tenuo::AuditRecord r;
  r.time = kT0 + 60;
  r.mode = tenuo::EnforcementMode::Audit;
  r.decision = tenuo::AuditDecision::Allow;
  r.enforced = true;
  r.tool = "write";
  r.arguments = tenuo::Object{{"data", tenuo::Value(filler(seq))}, {"seq", tenuo::Value(seq)}};
  r.chain = chain;
  return tenuo::to_json_line(r);
}

// The writer: prepares its lines, says it is ready, then appends and acknowledges each.
[[noreturn]] void writer(const std::string& log, int ack_fd, std::int64_t first_seq, const tenuo::Bytes& chain) {
  std::vector<std::string> lines;
  for (int i = 0; i < kRecordsPerTrial; ++i) lines.push_back(record_line(first_seq + i, chain));
  const std::int64_t ready = -1;
  if (::write(ack_fd, &ready, sizeof ready) != sizeof ready) ::_exit(3);
  for (int i = 0; i < kRecordsPerTrial; ++i) {
    if (!tenuo::append_audit_line(log, lines[static_cast<std::size_t>(i)])) ::_exit(4);
    const std::int64_t seq = first_seq + i;
    // 8 bytes to a pipe: one atomic write, so an acknowledgement is never half-sent.
    if (::write(ack_fd, &seq, sizeof seq) != sizeof seq) ::_exit(3);
  }
  ::_exit(0);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 6) die("usage: tenuo_audit_crash LOG ACKS WARRANT_FILE TRIALS SEED");
  const std::string log = argv[1];
  const std::string acks_path = argv[2];
  std::ifstream wf(argv[3], std::ios::binary);
  if (!wf) die(std::string("cannot read ") + argv[3]);
  const std::string wtext((std::istreambuf_iterator<char>(wf)), std::istreambuf_iterator<char>());
  auto chain = tenuo::warrant_cbor_from_any(tenuo::as_bytes(wtext));
  if (!chain) die("warrant: " + chain.error().message);
  const long trials = std::strtol(argv[4], nullptr, 10);
  std::mt19937_64 rng(std::strtoull(argv[5], nullptr, 10));

  // Calibrate: how long does one uninterrupted writer take from "ready" to exit?
  auto run_trial = [&](long t, std::chrono::microseconds kill_after, std::vector<std::int64_t>& acked,
                       bool& killed) -> std::chrono::microseconds {
    int fds[2];
    if (::pipe(fds) != 0) die("pipe");
    const pid_t pid = ::fork();
    if (pid < 0) die("fork");
    if (pid == 0) {
      ::close(fds[0]);
      writer(log, fds[1], static_cast<std::int64_t>(t) * 1000, *chain);
    }
    ::close(fds[1]);
    std::int64_t v = 0;
    if (::read(fds[0], &v, sizeof v) != sizeof v || v != -1) die("writer did not start");
    const auto start = std::chrono::steady_clock::now();
    if (kill_after.count() >= 0) {
      if (kill_after.count() > 0) ::usleep(static_cast<useconds_t>(kill_after.count()));
      ::kill(pid, SIGKILL);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    const auto took = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
    killed = WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL;
    if (!killed && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
      die("writer failed with status " + std::to_string(status));
    ssize_t n = 0;
    while ((n = ::read(fds[0], &v, sizeof v)) == sizeof v) acked.push_back(v);
    if (n != 0) die("torn acknowledgement on the pipe");
    ::close(fds[0]);
    return took;
  };

  std::vector<std::int64_t> acked;
  long killed_count = 0;
  bool killed = false;
  // Five writers run to completion first and the fastest gives the writer's duration; kills
  // land uniformly in [0, 1.1 × it], so most trials end in a kill.
  long fastest = -1;
  for (int i = 0; i < 5; ++i) {
    const long took = static_cast<long>(run_trial(1000000 + i, std::chrono::microseconds(-1), acked, killed).count());
    if (fastest < 0 || took < fastest) fastest = took;
  }
  const long span = std::max<long>(50, fastest * 11 / 10);
  std::uniform_int_distribution<long> at(0, span);
  for (long t = 1; t <= trials; ++t) {
    run_trial(t, std::chrono::microseconds(at(rng)), acked, killed);
    if (killed) ++killed_count;
  }
  std::ofstream out(acks_path);
  for (auto s : acked) out << s << '\n';
  if (!out) die("cannot write " + acks_path);
  std::printf("%ld trials (%ld killed, span %ld us), %zu records acknowledged\n", trials, killed_count, span,
              acked.size());
  return 0;
}
