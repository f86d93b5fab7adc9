#include "cli.hpp"
#include "output.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace tenuo::cli {
namespace {

constexpr std::size_t kMaxInputBytes = 16 * 1024 * 1024;

Result<std::string> read_file(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr)
    return fail(ErrorCode::InvalidInput,
                fmt::format("cannot read '{}': {}", path, std::strerror(errno)));
  std::string out;
  char buf[65536];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) {
    out.append(buf, n);
    if (out.size() > kMaxInputBytes) {
      std::fclose(f);
      return fail(ErrorCode::InvalidInput,
                  fmt::format("'{}' is larger than {} bytes", path, kMaxInputBytes));
    }
  }
  const bool bad = std::ferror(f) != 0;
  std::fclose(f);
  if (bad) return fail(ErrorCode::InvalidInput, fmt::format("cannot read '{}'", path));
  return out;
}

bool g_stdin_used = false;

}  // namespace

Result<std::string> read_stdin() {
  if (g_stdin_used)
    return fail(ErrorCode::InvalidInput, "standard input can be read only once per command");
  g_stdin_used = true;
  std::string out;
  char buf[65536];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0) {
    out.append(buf, n);
    if (out.size() > kMaxInputBytes)
      return fail(ErrorCode::InvalidInput,
                  fmt::format("standard input is larger than {} bytes", kMaxInputBytes));
  }
  return out;
}

Result<std::string> read_input(std::string_view spec) {
  if (spec == "-") return read_stdin();
  if (spec.starts_with("@")) {
    if (spec.size() == 1) return fail(ErrorCode::InvalidInput, "'@' needs a file path after it");
    return read_file(std::string(spec.substr(1)));
  }
  if (spec.starts_with("env:")) {
    const std::string var(spec.substr(4));
    const char* v = std::getenv(var.c_str());
    if (v == nullptr)
      return fail(ErrorCode::InvalidInput,
                  fmt::format("environment variable {} is not set", var));
    return std::string(v);
  }
  return std::string(spec);
}

Result<void> write_output(const std::string& path, std::string_view data) {
  if (path.empty() || path == "-") {
    if (std::fwrite(data.data(), 1, data.size(), stdout) != data.size() || std::fflush(stdout) != 0)
      return fail(ErrorCode::Io, "cannot write to standard output");
    return {};
  }
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr)
    return fail(ErrorCode::Io, fmt::format("cannot write '{}': {}", path, std::strerror(errno)));
  const bool ok = std::fwrite(data.data(), 1, data.size(), f) == data.size();
  if (std::fclose(f) != 0 || !ok) return fail(ErrorCode::Io, fmt::format("cannot write '{}'", path));
  return {};
}

// ------------------------------------------------------------------ time

namespace {

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

bool parse_int(std::string_view s, std::int64_t& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size();
}

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

}  // namespace

Result<std::int64_t> parse_time(std::string_view t) {
  std::int64_t v = 0;
  if (all_digits(t) && parse_int(t, v)) return v;
  // RFC 3339: YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)
  auto bad = [&] {
    return fail(ErrorCode::InvalidInput,
                fmt::format("'{}' is not a time: use RFC 3339 (2024-01-01T00:00:00Z) or unix "
                            "seconds",
                            t));
  };
  if (t.size() < 20 || t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != 't' && t[10] != ' ') ||
      t[13] != ':' || t[16] != ':')
    return bad();
  std::int64_t Y, M, D, h, m, s;
  if (!parse_int(t.substr(0, 4), Y) || !parse_int(t.substr(5, 2), M) ||
      !parse_int(t.substr(8, 2), D) || !parse_int(t.substr(11, 2), h) ||
      !parse_int(t.substr(14, 2), m) || !parse_int(t.substr(17, 2), s))
    return bad();
  if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 || s > 60) return bad();
  std::size_t i = 19;
  if (i < t.size() && t[i] == '.') {
    ++i;
    const std::size_t f0 = i;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
    if (i == f0) return bad();
  }
  std::int64_t offset = 0;
  if (i < t.size() && (t[i] == 'Z' || t[i] == 'z')) {
    ++i;
  } else if (i + 6 == t.size() && (t[i] == '+' || t[i] == '-') && t[i + 3] == ':') {
    std::int64_t oh, om;
    if (!parse_int(t.substr(i + 1, 2), oh) || !parse_int(t.substr(i + 4, 2), om)) return bad();
    offset = (oh * 3600 + om * 60) * (t[i] == '-' ? -1 : 1);
    i += 6;
  } else {
    return bad();
  }
  if (i != t.size()) return bad();
  const std::int64_t days =
      days_from_civil(Y, static_cast<unsigned>(M), static_cast<unsigned>(D));
  return days * 86400 + h * 3600 + m * 60 + s - offset;
}

Result<std::int64_t> resolve_now(const std::string& at) {
  if (!at.empty()) return parse_time(at);
  if (const char* env = std::getenv("TENUO_NOW"); env != nullptr && *env != '\0') {
    auto t = parse_time(env);
    if (!t)
      return fail(ErrorCode::InvalidInput, fmt::format("TENUO_NOW: {}", t.error().message));
    static bool announced = false;
    if (!announced) {
      announced = true;
      info(fmt::format("tenuo: note: clock fixed by TENUO_NOW={}\n", env));
    }
    return t;
  }
  return static_cast<std::int64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                       std::chrono::system_clock::now().time_since_epoch())
                                       .count());
}

Result<std::uint64_t> parse_duration(std::string_view t) {
  if (t.empty()) return fail(ErrorCode::InvalidInput, "empty duration");
  std::uint64_t mult = 1;
  std::string_view num = t;
  switch (t.back()) {
    case 's': mult = 1; num.remove_suffix(1); break;
    case 'm': mult = 60; num.remove_suffix(1); break;
    case 'h': mult = 3600; num.remove_suffix(1); break;
    case 'd': mult = 86400; num.remove_suffix(1); break;
    default: break;
  }
  std::int64_t v = 0;
  if (!all_digits(num) || !parse_int(num, v) || v > 1'000'000'000)
    return fail(ErrorCode::InvalidInput,
                fmt::format("'{}' is not a duration: use 30s, 5m, 1h or 2d", t));
  return static_cast<std::uint64_t>(v) * mult;
}

}  // namespace tenuo::cli
