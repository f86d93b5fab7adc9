#include <tenuo/audit_log.hpp>

#include <tenuo/arguments.hpp>
#include <tenuo/encoding.hpp>
#include <tenuo/limits.hpp>

#include "detail/civil_time.hpp"
#include "detail/json_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace tenuo {
namespace {

constexpr std::string_view kPrefix = "tnu_wrt_";

Unexpected bad_line(std::string_view what) {
  return fail(ErrorCode::InvalidInput, fmt::format("audit line: {}", what));
}

const Value* member(const Object& o, std::string_view key) {
  auto it = std::lower_bound(o.begin(), o.end(), key,
                             [](const Member& m, std::string_view k) { return m.key < k; });
  return it != o.end() && it->key == key ? &it->value : nullptr;
}

Result<std::string> text_member(const Object& o, std::string_view key, bool required,
                                bool& present) {
  const Value* v = member(o, key);
  present = v != nullptr;
  if (v == nullptr) {
    if (required) return bad_line(fmt::format("missing \"{}\"", key));
    return std::string{};
  }
  if (!v->is_string()) return bad_line(fmt::format("\"{}\" must be a string", key));
  return v->as_string();
}

Result<std::optional<std::string>> opt_text(const Object& o, std::string_view key) {
  bool present = false;
  TENUO_TRY_ASSIGN(std::string s, text_member(o, key, false, present));
  if (!present) return std::optional<std::string>{};
  return std::optional<std::string>{std::move(s)};
}

Result<std::optional<Bytes>> opt_base64(const Object& o, std::string_view key, std::size_t max) {
  TENUO_TRY_ASSIGN(auto text, opt_text(o, key));
  if (!text) return std::optional<Bytes>{};
  if (text->size() / 4 * 3 > max + 3) return bad_line(fmt::format("\"{}\" is too large", key));
  auto b = base64_decode(*text, Base64Alphabet::Standard, Padding::Yes);
  if (!b) return bad_line(fmt::format("\"{}\" is not standard padded base64", key));
  return std::optional<Bytes>{std::move(b).value()};
}

bool is_lower_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

bool same_object(const Object& a, const Object& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i].key != b[i].key || !(a[i].value == b[i].value)) return false;
  return true;
}

}  // namespace

std::string_view mode_name(EnforcementMode mode) noexcept {
  switch (mode) {
    case EnforcementMode::Enforce: return "enforce";
    case EnforcementMode::Audit: return "audit";
    case EnforcementMode::Permissive: return "permissive";
  }
  return "enforce";
}

std::optional<EnforcementMode> parse_mode(std::string_view text) noexcept {
  if (text == "enforce") return EnforcementMode::Enforce;
  if (text == "audit") return EnforcementMode::Audit;
  if (text == "permissive") return EnforcementMode::Permissive;
  return std::nullopt;
}

bool AuditRecord::operator==(const AuditRecord& o) const {
  if (arguments.has_value() != o.arguments.has_value()) return false;
  if (arguments && !same_object(*arguments, *o.arguments)) return false;
  return time == o.time && mode == o.mode && decision == o.decision && enforced == o.enforced &&
         tool == o.tool && arguments_text == o.arguments_text && warrant_id == o.warrant_id &&
         chain == o.chain && pop == o.pop && error == o.error;
}

std::string rfc3339_utc(std::int64_t t) { return detail::utc_date_time(t) + "Z"; }

std::string to_json_line(const AuditRecord& r) {
  std::string out;
  out += fmt::format("{{\"tenuo_audit\":{},\"time\":\"{}\",\"unix\":{},\"mode\":\"{}\",", kAuditSchemaVersion,
                     rfc3339_utc(r.time), r.time, mode_name(r.mode));
  out += r.decision == AuditDecision::Allow ? "\"decision\":\"allow\"" : "\"decision\":\"deny\"";
  out += r.enforced ? ",\"enforced\":true" : ",\"enforced\":false";
  auto text = [&](std::string_view key, const std::optional<std::string>& v) {
    if (!v) return;
    out += ",\"";
    out += key;
    out += "\":";
    detail::append_json_string(out, *v);
  };
  auto b64 = [&](std::string_view key, const std::optional<Bytes>& v) {
    if (!v) return;
    out += ",\"";
    out += key;
    out += "\":\"";
    out += base64_encode(*v, Base64Alphabet::Standard, Padding::Yes);
    out += '"';
  };
  text("tool", r.tool);
  if (r.arguments) {
    out += ",\"arguments\":";
    out += canonical_json(*r.arguments);
  }
  text("arguments_text", r.arguments_text);
  text("warrant_id", r.warrant_id);
  b64("chain", r.chain);
  b64("pop", r.pop);
  if (r.error) {
    out += fmt::format(",\"error\":{{\"code\":{},\"name\":\"{}\",\"message\":",
                       static_cast<int>(r.error->code), name(r.error->code));
    detail::append_json_string(out, r.error->message);
    out += '}';
  }
  out += "}\n";
  return out;
}

Result<AuditRecord> parse_audit_line(std::string_view line) {
  if (line.empty() || line.back() != '\n')
    return bad_line("incomplete line (no trailing newline): a torn or truncated write");
  line.remove_suffix(1);
  if (line.find('\n') != std::string_view::npos) return bad_line("more than one line");
  // The record's own members sit at depth 1, so the arguments keep their §8.1.1 depth budget.
  ArgumentLimits lim;
  lim.max_text_bytes = kMaxAuditLineBytes;
  lim.max_depth = kMaxArgsDepth + 1;
  lim.max_values = kMaxArgsValues + 64;
  lim.max_string_bytes = kMaxAuditLineBytes / 2;
  lim.max_total_string_bytes = kMaxAuditLineBytes;
  auto parsed = detail::parse_json_object(line, lim, detail::NumberStyle::V032);
  if (!parsed) return bad_line(parsed.error().message);
  const Object& o = *parsed;

  const Value* schema = member(o, "tenuo_audit");
  if (schema == nullptr) return bad_line("not a tenuo audit record (no \"tenuo_audit\")");
  if (!schema->is_int() || schema->as_int() != kAuditSchemaVersion)
    return bad_line(fmt::format("unsupported \"tenuo_audit\" version (expected {})", kAuditSchemaVersion));

  AuditRecord r;
  const Value* unix_time = member(o, "unix");
  if (unix_time == nullptr || !unix_time->is_int()) return bad_line("\"unix\" must be an integer");
  r.time = unix_time->as_int();
  bool present = false;
  TENUO_TRY_ASSIGN(std::string time_text, text_member(o, "time", true, present));
  if (time_text != rfc3339_utc(r.time)) return bad_line("\"time\" does not match \"unix\"");

  TENUO_TRY_ASSIGN(std::string mode, text_member(o, "mode", true, present));
  const auto m = parse_mode(mode);
  if (!m) return bad_line("\"mode\" must be enforce, audit or permissive");
  r.mode = *m;
  TENUO_TRY_ASSIGN(std::string decision, text_member(o, "decision", true, present));
  if (decision == "allow")
    r.decision = AuditDecision::Allow;
  else if (decision == "deny")
    r.decision = AuditDecision::Deny;
  else
    return bad_line("\"decision\" must be allow or deny");
  const Value* enforced = member(o, "enforced");
  if (enforced == nullptr || !enforced->is_bool()) return bad_line("\"enforced\" must be a boolean");
  r.enforced = enforced->as_bool();

  TENUO_TRY_ASSIGN(r.tool, opt_text(o, "tool"));
  if (const Value* a = member(o, "arguments")) {
    if (!a->is_object()) return bad_line("\"arguments\" must be an object");
    if (a->as_object().size() > kMaxArgsEntries) return bad_line("\"arguments\" has too many members");
    r.arguments = a->as_object();
  }
  TENUO_TRY_ASSIGN(r.arguments_text, opt_text(o, "arguments_text"));
  TENUO_TRY_ASSIGN(r.warrant_id, opt_text(o, "warrant_id"));
  if (r.warrant_id) {
    const std::string& id = *r.warrant_id;
    if (id.size() != kPrefix.size() + 32 || id.compare(0, kPrefix.size(), kPrefix) != 0 ||
        !is_lower_hex(std::string_view(id).substr(kPrefix.size())))
      return bad_line("\"warrant_id\" must be tnu_wrt_ followed by 32 lowercase hex digits");
  }
  TENUO_TRY_ASSIGN(r.chain, opt_base64(o, "chain", kMaxStackBytes));
  TENUO_TRY_ASSIGN(r.pop, opt_base64(o, "pop", 4096));

  if (const Value* e = member(o, "error")) {
    if (!e->is_object()) return bad_line("\"error\" must be an object");
    const Value* code = e->find("code");
    const Value* code_name = e->find("name");
    const Value* message = e->find("message");
    if (code == nullptr || !code->is_int() || code_name == nullptr || !code_name->is_string() ||
        message == nullptr || !message->is_string())
      return bad_line("\"error\" needs a numeric \"code\", a \"name\" and a \"message\"");
    const auto c = code_from_name(code_name->as_string());
    if (!c || static_cast<std::int64_t>(*c) != code->as_int())
      return bad_line("\"error\" code and name do not match a known error");
    r.error = AuditError{*c, message->as_string()};
  }
  if ((r.decision == AuditDecision::Deny) != r.error.has_value())
    return bad_line("a deny carries an \"error\" and an allow does not");
  return r;
}

Result<void> append_audit_line(const std::string& path, std::string_view line, SyncMode sync) {
  if (line.empty() || line.back() != '\n' ||
      line.find('\n') != line.size() - 1)
    return fail(ErrorCode::InvalidInput, "an audit record must be exactly one line ending in '\\n'");
  // Read access lets the torn-line check below see the last byte; a log this process may only
  // append to is still written, without the check.
  constexpr int kFlags = O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY;
  int fd = ::open(path.c_str(), O_RDWR | kFlags, 0600);
  if (fd < 0 && errno == EACCES) fd = ::open(path.c_str(), O_WRONLY | kFlags, 0600);
  if (fd < 0)
    return fail(ErrorCode::Io, fmt::format("cannot open audit log {}: {}", path, std::strerror(errno)));
  // A writer killed mid-append leaves a torn last line without its '\n'. Appending straight
  // after it would glue this complete record onto the torn bytes, so the torn line is closed
  // first, in the same single write. The check and the write happen under an exclusive flock:
  // without it, another appender's write in progress (the size grows page by page) would look
  // torn. The lock dies with its holder, so a killed writer never blocks the next one.
  int lock_rc = 0;
  do {
    lock_rc = ::flock(fd, LOCK_EX);
  } while (lock_rc != 0 && errno == EINTR);
  const bool locked = lock_rc == 0;  // without a lock (ENOLCK) the append still happens
  std::string closed;
  std::string_view out = line;
  struct stat st {};
  char last = '\n';
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
      ::pread(fd, &last, 1, st.st_size - 1) == 1 && last != '\n') {
    closed.reserve(line.size() + 1);
    closed.push_back('\n');
    closed.append(line);
    out = closed;
  }
  ssize_t n = 0;
  do {
    n = ::write(fd, out.data(), out.size());
  } while (n < 0 && errno == EINTR);  // EINTR: nothing was written, so retrying is still atomic
  const int write_errno = errno;
  Result<void> result;
  if (n < 0) {
    result = fail(ErrorCode::Io, fmt::format("cannot append to audit log {}: {}", path,
                                             std::strerror(write_errno)));
  } else if (static_cast<std::size_t>(n) != out.size()) {
    // Finishing with a second write could interleave with another writer; report instead.
    result = fail(ErrorCode::Io, fmt::format("short write to audit log {} ({} of {} bytes); its "
                                             "last line is torn",
                                             path, n, out.size()));
  } else if (sync == SyncMode::Fsync && ::fsync(fd) != 0) {
    result = fail(ErrorCode::Io, fmt::format("cannot fsync audit log {}: {}", path, std::strerror(errno)));
  }
  if (locked) ::flock(fd, LOCK_UN);
  if (::close(fd) != 0 && result)
    result = fail(ErrorCode::Io, fmt::format("cannot close audit log {}: {}", path, std::strerror(errno)));
  return result;
}

Result<void> for_each_line(const std::string& path,
                           const std::function<bool(std::size_t, std::string_view)>& fn,
                           std::size_t max_line) {
  const bool use_stdin = path == "-";
  const int fd = use_stdin ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return fail(ErrorCode::Io, fmt::format("cannot open {}: {}", path, std::strerror(errno)));
  std::vector<char> buf(64 * 1024);
  std::string current;
  bool overlong = false;  // the current line was already delivered cut; skip to its end
  std::size_t line_no = 0;
  bool stop = false;
  Result<void> result;
  while (!stop) {
    const ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      result = fail(ErrorCode::Io, fmt::format("cannot read {}: {}", path, std::strerror(errno)));
      break;
    }
    if (n == 0) break;
    std::string_view chunk(buf.data(), static_cast<std::size_t>(n));
    while (!chunk.empty() && !stop) {
      const std::size_t nl = chunk.find('\n');
      const std::string_view piece = chunk.substr(0, nl == std::string_view::npos ? chunk.size() : nl + 1);
      chunk.remove_prefix(piece.size());
      const bool ends = piece.back() == '\n';
      if (overlong) {
        if (ends) overlong = false;
        continue;
      }
      if (current.size() + piece.size() > max_line) {
        current.append(piece.substr(0, max_line - current.size()));
        if (!current.empty() && current.back() == '\n') current.pop_back();
        stop = !fn(++line_no, current);
        current.clear();
        overlong = !ends;
        continue;
      }
      if (ends && current.empty()) {
        stop = !fn(++line_no, piece);  // the common case: no copy
        continue;
      }
      current.append(piece);
      if (ends) {
        stop = !fn(++line_no, current);
        current.clear();
      }
    }
  }
  if (result && !stop && !current.empty()) (void)fn(++line_no, current);
  if (!use_stdin) ::close(fd);
  return result;
}

}  // namespace tenuo
