#include <tenuo/replay.hpp>

#include <tenuo/arguments.hpp>
#include <tenuo/authorize.hpp>
#include <tenuo/encoding.hpp>
#include <tenuo/evaluate.hpp>
#include <tenuo/explain.hpp>
#include <tenuo/pop.hpp>

#include "detail/civil_time.hpp"
#include "detail/json_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <filesystem>
#include <fstream>
#include <limits>
#include <mutex>
#include <thread>
#include <unordered_map>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace tenuo {

// ---------------------------------------------------------------- names

std::optional<ReplayFormat> parse_replay_format(std::string_view t) noexcept {
  if (t == "auto") return ReplayFormat::Auto;
  if (t == "tenuo") return ReplayFormat::Tenuo;
  if (t == "sdk") return ReplayFormat::Sdk;
  if (t == "receipts") return ReplayFormat::Receipts;
  return std::nullopt;
}

std::optional<FailOn> parse_fail_on(std::string_view t) noexcept {
  if (t == "deny") return FailOn::Deny;
  if (t == "drift") return FailOn::Drift;
  if (t == "any") return FailOn::Any;
  if (t == "none") return FailOn::None;
  return std::nullopt;
}

std::string_view outcome_name(ReplayOutcome o) noexcept {
  switch (o) {
    case ReplayOutcome::ConsistentAllow: return "consistent-allow";
    case ReplayOutcome::ConsistentDeny: return "consistent-deny";
    case ReplayOutcome::DriftAllowToDeny: return "drift-allow-to-deny";
    case ReplayOutcome::DriftDenyToAllow: return "drift-deny-to-allow";
    case ReplayOutcome::Undecidable: return "undecidable";
    case ReplayOutcome::Malformed: return "malformed";
  }
  return "malformed";
}

std::string_view undecidable_name(UndecidableReason r) noexcept {
  switch (r) {
    case UndecidableReason::None: return "none";
    case UndecidableReason::WarrantNotFound: return "warrant-not-found";
    case UndecidableReason::NoWarrant: return "no-warrant";
    case UndecidableReason::ArgumentsRedacted: return "arguments-redacted";
    case UndecidableReason::ArgumentsTruncated: return "arguments-truncated";
    case UndecidableReason::ArgumentsUnavailable: return "arguments-unavailable";
    case UndecidableReason::NoDecision: return "no-decision";
    case UndecidableReason::NotACall: return "not-a-call";
    case UndecidableReason::ReceiptRejected: return "receipt-rejected";
    case UndecidableReason::PopUnavailable: return "pop-unavailable";
    case UndecidableReason::RevocationUnknown: return "revocation-unknown";
    case UndecidableReason::ApprovalsUnavailable: return "approvals-unavailable";
  }
  return "none";
}

std::string_view pop_replay_name(PopReplay p) noexcept {
  switch (p) {
    case PopReplay::NotApplicable: return "not-applicable";
    case PopReplay::Verified: return "verified";
    case PopReplay::Failed: return "failed";
    case PopReplay::NotReached: return "not-reached";
    case PopReplay::SkippedNotRecorded: return "skipped-not-recorded";
    case PopReplay::SkippedAgainst: return "skipped-against";
    case PopReplay::SkippedNoArguments: return "skipped-no-arguments";
  }
  return "not-applicable";
}

std::string_view record_kind_name(RecordKind k) noexcept {
  switch (k) {
    case RecordKind::Tenuo: return "tenuo";
    case RecordKind::Sdk: return "sdk";
    case RecordKind::Receipt: return "receipt";
    case RecordKind::Unknown: return "unknown";
  }
  return "unknown";
}

// ---------------------------------------------------------------- timestamps

namespace detail {

Result<std::int64_t> parse_timestamp(std::string_view s) {
  auto bad = [&] { return fail(ErrorCode::InvalidInput, fmt::format("not an RFC 3339 timestamp: \"{}\"", s)); };
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0;
  if (!digits(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s, 11, 2, h) ||
      s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, se))
    return bad();
  static constexpr int kMonthDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12 || d < 1 || d > kMonthDays[mo - 1] || h > 23 || mi > 59 || se > 60) return bad();
  std::size_t pos = 19;
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    ++pos;
    const std::size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == start) return bad();
  }
  std::int64_t offset = 0;
  if (pos < s.size()) {
    if ((s[pos] == 'Z' || s[pos] == 'z') && pos + 1 == s.size()) {
      pos = s.size();
    } else if (s[pos] == '+' || s[pos] == '-') {
      int oh = 0, om = 0;
      if (!digits(s, pos + 1, 2, oh) || oh > 23) return bad();
      std::size_t p2 = pos + 3;
      if (p2 < s.size() && s[p2] == ':') ++p2;
      if (!digits(s, p2, 2, om) || om > 59 || p2 + 2 != s.size()) return bad();
      offset = (oh * 3600 + om * 60) * (s[pos] == '-' ? -1 : 1);
      pos = s.size();
    } else {
      return bad();
    }
  }
  const std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  // A leap second (":60") is read as the next second.
  return days * 86400 + h * 3600 + mi * 60 + se - offset;
}

std::optional<ClockWindow> clock_window(std::span<const Warrant> chain) noexcept {
  // Mirrors the clock checks of verify_chain() (verify.cpp), which evaluates them on
  // unow = max(now, 0): issued_at > unow + kClockToleranceSeconds fails (every warrant); a
  // non-leaf, non-root link fails once unow > expires_at + link tolerance; the leaf (a lone
  // warrant included) once unow >= expires_at. Inside [lo, hi] none of them fails, so the
  // verdict there is that of the clock-free checks: the same at every instant. The replay test
  // cross-checks this against verify_chain() at many instants.
  if (chain.empty()) return std::nullopt;
  static constexpr auto kMax = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  const auto clamp = [](std::uint64_t v) { return static_cast<std::int64_t>(std::min(v, kMax)); };
  const std::uint64_t tolerance = VerifyOptions{}.link_expiry_tolerance;
  std::int64_t lo = 0;
  for (const auto& w : chain) {
    const std::uint64_t ia = w.payload().issued_at;
    if (ia > kClockToleranceSeconds) lo = std::max(lo, clamp(ia - kClockToleranceSeconds));
  }
  const std::uint64_t leaf_exp = chain.back().payload().expires_at;
  if (leaf_exp == 0) return std::nullopt;
  std::int64_t hi = clamp(leaf_exp - 1);
  for (std::size_t i = 1; i + 1 < chain.size(); ++i) {
    const std::uint64_t e = chain[i].payload().expires_at;
    hi = std::min(hi, clamp(e > kMax - tolerance ? kMax : e + tolerance));
  }
  if (lo > hi) return std::nullopt;
  return ClockWindow{lo, hi};
}

}  // namespace detail

namespace {

const Value* member(const Object& o, std::string_view key) {
  auto it = std::lower_bound(o.begin(), o.end(), key,
                             [](const Member& m, std::string_view k) { return m.key < k; });
  return it != o.end() && it->key == key ? &it->value : nullptr;
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

bool iends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && iequals(s.substr(s.size() - suffix.size()), suffix);
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = lower(c);
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

bool is_hex_text(std::string_view s) {
  if (s.empty() || s.size() % 2 != 0) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
}

// The redaction/truncation markers of the classification rules (replay.hpp).
enum class Marker : std::uint8_t { None, Redacted, Truncated };

Marker string_marker(std::string_view s) {
  if (iequals(s, "[REDACTED]") || iequals(s, "<REDACTED>") || s == "***") return Marker::Redacted;
  if (iequals(s, "[TRUNCATED]") || iends_with(s, "...[truncated]")) return Marker::Truncated;
  if (s.ends_with("\xE2\x80\xA6")) return Marker::Truncated;  // U+2026 HORIZONTAL ELLIPSIS
  return Marker::None;
}

Marker value_marker(const Value& v, std::size_t depth = 0) {
  if (depth > 64) return Marker::None;
  switch (v.kind()) {
    case ValueKind::String: return string_marker(v.as_string());
    case ValueKind::Array:
      for (const auto& e : v.as_list())
        if (auto m = value_marker(e, depth + 1); m != Marker::None) return m;
      return Marker::None;
    case ValueKind::Map:
      for (const auto& m : v.as_object())
        if (auto k = value_marker(m.value, depth + 1); k != Marker::None) return k;
      return Marker::None;
    default: return Marker::None;
  }
}

Marker args_marker(const Object& args) {
  for (const auto& m : args)
    if (auto k = value_marker(m.value); k != Marker::None) return k;
  return Marker::None;
}

bool is_pop_code(ErrorCode c) {
  const auto n = static_cast<int>(c);
  return c == ErrorCode::SignatureInvalid || (n >= 1600 && n < 1700);
}

// A recorded error code given as a number, a kebab name, a snake name or an SDK deny label.
std::optional<ErrorCode> code_from_any(const Value& v) {
  static const std::unordered_map<std::string, ErrorCode> kByLabel = [] {
    std::unordered_map<std::string, ErrorCode> m;
    for (int n = 1000; n < 2200; ++n) {
      const auto c = static_cast<ErrorCode>(n);
      const std::string_view kebab = name(c);
      if (kebab == "unknown") continue;
      m.emplace(std::string(kebab), c);
      std::string snake(kebab);
      std::replace(snake.begin(), snake.end(), '-', '_');
      m.emplace(snake, c);
      m.emplace(std::string(sdk_deny_code(c)), c);
    }
    return m;
  }();
  if (v.is_int()) {
    const auto n = v.as_int();
    if (n < 1000 || n >= 2200) return std::nullopt;
    const auto c = static_cast<ErrorCode>(n);
    if (name(c) == "unknown") return std::nullopt;
    return c;
  }
  if (v.is_string()) {
    if (auto it = kByLabel.find(to_lower(v.as_string())); it != kByLabel.end()) return it->second;
  }
  return std::nullopt;
}

// allow / deny words of the SDK decision rules (replay.hpp). Deny words first: "unauthorized"
// contains "authorized".
std::optional<AuditDecision> decision_word(std::string_view text) {
  if (text == "authorization_success") return AuditDecision::Allow;  // the SDK's own event types
  if (text == "authorization_failure") return AuditDecision::Deny;
  const std::string s = to_lower(text);
  for (std::string_view w : {"fail", "deny", "denied", "reject", "block", "unauthorized", "forbidden"})
    if (s.find(w) != std::string::npos) return AuditDecision::Deny;
  for (std::string_view w : {"success", "allow", "granted", "authorized", "permit", "pass"})
    if (s.find(w) != std::string::npos) return AuditDecision::Allow;
  return std::nullopt;
}

// parse_warrant_id() with a fast path for the usual "tnu_wrt_" + 32 hex form.
Result<WarrantId> fast_warrant_id(std::string_view text) {
  if (text.size() == 40 && text.starts_with("tnu_wrt_")) {
    WarrantId id{};
    auto nib = [](char ch) -> int {
      if (ch >= '0' && ch <= '9') return ch - '0';
      if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
      if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
      return -1;
    };
    bool ok = true;
    for (std::size_t i = 0; i < 16 && ok; ++i) {
      const int hi = nib(text[8 + 2 * i]);
      const int lo = nib(text[9 + 2 * i]);
      ok = hi >= 0 && lo >= 0;
      id[i] = static_cast<std::uint8_t>(hi * 16 + lo);
    }
    if (ok) return id;
  }
  return parse_warrant_id(text);
}

std::optional<Signature> as_signature(const Bytes& b) {
  if (b.size() != 64) return std::nullopt;
  Signature s{};
  std::copy(b.begin(), b.end(), s.begin());
  return s;
}

// ---------------------------------------------------------------- chain cache

using VerdictPtr = std::shared_ptr<const Result<VerifiedChain>>;

// One distinct chain: decoded (signatures checked) once, verified once inside its clock window,
// and verified again only for instants outside it (memoised per instant, bounded).
struct ChainEntry {
  std::shared_ptr<const std::vector<Warrant>> chain;  // null when decoding failed
  std::optional<Error> decode_error;
  std::optional<detail::ClockWindow> window;
  VerdictPtr in_window;  // verdict at window->lo, valid at every instant of the window
  std::string leaf_id;
  std::mutex memo_mutex;
  std::unordered_map<std::int64_t, VerdictPtr> memo;

  void init(Result<std::vector<Warrant>> decoded, const TrustedRoots& roots) {
    if (!decoded) {
      decode_error = std::move(decoded).error();
      return;
    }
    chain = std::make_shared<const std::vector<Warrant>>(std::move(*decoded));
    leaf_id = chain->back().id_text();
    window = detail::clock_window(*chain);
    if (window)
      in_window = std::make_shared<const Result<VerifiedChain>>(
          verify_chain(*chain, roots, VerifyOptions{.now = window->lo}));
  }

  // The verdict at `t`. Inside the window it is the entry's own (alive as long as the entry);
  // outside, a memoised one that `hold` keeps alive.
  const Result<VerifiedChain>* verdict_at(std::int64_t t, const TrustedRoots& roots, VerdictPtr& hold) {
    if (window && t >= window->lo && t <= window->hi) return in_window.get();
    std::lock_guard lock(memo_mutex);
    if (auto it = memo.find(t); it != memo.end()) {
      hold = it->second;
      return hold.get();
    }
    if (memo.size() >= 256) memo.clear();
    hold = std::make_shared<const Result<VerifiedChain>>(verify_chain(*chain, roots, VerifyOptions{.now = t}));
    memo.emplace(t, hold);
    return hold.get();
  }
};

struct CacheSlot {
  std::once_flag once;
  ChainEntry entry;
};

// Chains seen by their exact bytes: two generations bounded by bytes (an approximate LRU), so
// memory stays bounded however many distinct chains a log holds. Within the bound every distinct
// chain is decoded and signature-checked once (the once_flag also covers concurrent first use).
class BytesCache {
 public:
  explicit BytesCache(std::size_t max_bytes) : m_max(max_bytes) {}

  std::shared_ptr<CacheSlot> get(ByteView bytes, bool& hit) {
    std::string key(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    std::lock_guard lock(m_mutex);
    if (auto it = m_cur.find(key); it != m_cur.end()) {
      hit = true;
      return it->second;
    }
    std::shared_ptr<CacheSlot> slot;
    if (auto it = m_prev.find(key); it != m_prev.end()) {
      hit = true;
      slot = it->second;
      m_prev.erase(it);
    } else {
      hit = false;
      slot = std::make_shared<CacheSlot>();
    }
    // Decoded warrants hold the bytes about three times over (payload, envelope, structures).
    const std::size_t cost = key.size() * 4 + 256;
    if (m_cur_bytes + cost > m_max) {
      m_prev = std::move(m_cur);
      m_cur.clear();
      m_cur_bytes = 0;
    }
    m_cur_bytes += cost;
    m_cur.emplace(std::move(key), slot);
    return slot;
  }

 private:
  std::size_t m_max;
  std::mutex m_mutex;
  std::unordered_map<std::string, std::shared_ptr<CacheSlot>> m_cur;
  std::unordered_map<std::string, std::shared_ptr<CacheSlot>> m_prev;
  std::size_t m_cur_bytes = 0;
};

}  // namespace

// ---------------------------------------------------------------- WarrantIndex

struct WarrantIndex::Impl {
  std::vector<std::vector<Warrant>> chains;
  struct IdHash {
    std::size_t operator()(const WarrantId& id) const noexcept {
      std::uint64_t a = 0;
      std::uint64_t b = 0;
      std::memcpy(&a, id.data(), 8);
      std::memcpy(&b, id.data() + 8, 8);
      return static_cast<std::size_t>(a * 0x9e3779b97f4a7c15ULL ^ b);  // UUIDv7: time first, random last
    }
  };
  std::unordered_map<WarrantId, std::size_t, IdHash> by_id;
  std::vector<std::string> warnings;

  static const WarrantId& key(const WarrantId& id) { return id; }
};

WarrantIndex::WarrantIndex() : m_impl(std::make_unique<Impl>()) {}
WarrantIndex::~WarrantIndex() = default;
WarrantIndex::WarrantIndex(WarrantIndex&&) noexcept = default;
WarrantIndex& WarrantIndex::operator=(WarrantIndex&&) noexcept = default;

void WarrantIndex::add_chain(std::vector<Warrant> chain) {
  if (chain.empty()) return;
  // The whole chain under its leaf id, then each shorter prefix under its own leaf id unless a
  // chain already names that id.
  for (std::size_t n = chain.size(); n >= 1; --n) {
    const WarrantId& k = Impl::key(chain[n - 1].id());
    if (auto it = m_impl->by_id.find(k); it != m_impl->by_id.end()) {
      const auto& have = m_impl->chains[it->second];
      const bool same = have.size() == n &&
                        std::equal(have.begin(), have.end(), chain.begin(), [](const Warrant& a, const Warrant& b) {
                          return std::ranges::equal(a.envelope_bytes(), b.envelope_bytes());
                        });
      if (!same && n == chain.size())
        m_impl->warnings.push_back(fmt::format("warrant {} is indexed twice with different chains; the first is kept",
                                               chain[n - 1].id_text()));
      continue;
    }
    m_impl->by_id.emplace(k, m_impl->chains.size());
    m_impl->chains.emplace_back(chain.begin(), chain.begin() + static_cast<std::ptrdiff_t>(n));
  }
}

std::size_t WarrantIndex::add_text(std::string_view text, std::string_view source) {
  const ByteView whole(reinterpret_cast<const std::uint8_t*>(text.data()), text.size());
  if (auto all = read_warrants(whole)) {
    add_chain(std::move(*all));
    return 1;
  }
  std::size_t added = 0;
  std::size_t line_no = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t nl = text.find('\n', pos);
    const std::string_view line = trim(text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos));
    ++line_no;
    pos = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    if (line.empty() || line.front() == '#') continue;
    auto w = read_warrants(ByteView(reinterpret_cast<const std::uint8_t*>(line.data()), line.size()));
    if (!w) {
      m_impl->warnings.push_back(fmt::format("{}:{}: not a warrant or chain: {} [{} {}]", source, line_no,
                                             w.error().message, w.error().numeric(), name(w.error().code)));
      continue;
    }
    add_chain(std::move(*w));
    ++added;
  }
  return added;
}

Result<std::size_t> WarrantIndex::load(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const auto st = fs::status(path, ec);
  if (ec || !fs::exists(st)) return fail(ErrorCode::Io, fmt::format("cannot open {}: no such file or directory", path));
  std::vector<fs::path> files;
  if (fs::is_directory(st)) {
    for (const auto& e : fs::directory_iterator(path, ec)) {
      const auto fname = e.path().filename().string();
      if (fname.empty() || fname.front() == '.') continue;
      if (e.is_regular_file(ec)) files.push_back(e.path());
    }
    if (ec) return fail(ErrorCode::Io, fmt::format("cannot list {}: {}", path, ec.message()));
    std::sort(files.begin(), files.end());
  } else {
    files.emplace_back(path);
  }
  std::size_t added = 0;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) return fail(ErrorCode::Io, fmt::format("cannot read {}", f.string()));
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    added += add_text(text, f.string());
  }
  return added;
}

std::size_t WarrantIndex::size() const noexcept { return m_impl->chains.size(); }
const std::vector<std::string>& WarrantIndex::warnings() const noexcept { return m_impl->warnings; }

std::optional<std::size_t> WarrantIndex::slot(const WarrantId& id) const noexcept {
  auto it = m_impl->by_id.find(Impl::key(id));
  if (it == m_impl->by_id.end()) return std::nullopt;
  return it->second;
}

const std::vector<Warrant>& WarrantIndex::at_slot(std::size_t s) const noexcept { return m_impl->chains[s]; }

const std::vector<Warrant>* WarrantIndex::find(const WarrantId& id) const noexcept {
  auto s = slot(id);
  return s ? &m_impl->chains[*s] : nullptr;
}

// ---------------------------------------------------------------- summary

std::uint64_t ReplaySummary::records() const noexcept {
  std::uint64_t n = 0;
  for (auto c : outcomes) n += c;
  return n;
}

std::uint64_t ReplaySummary::drift_count() const noexcept {
  return outcomes[static_cast<std::size_t>(ReplayOutcome::DriftAllowToDeny)] +
         outcomes[static_cast<std::size_t>(ReplayOutcome::DriftDenyToAllow)];
}

std::uint64_t ReplaySummary::replay_denies() const noexcept {
  return outcomes[static_cast<std::size_t>(ReplayOutcome::ConsistentDeny)] +
         outcomes[static_cast<std::size_t>(ReplayOutcome::DriftAllowToDeny)];
}

bool ReplaySummary::receipt_chains_ok() const noexcept {
  return std::all_of(receipt_chains.begin(), receipt_chains.end(),
                     [](const ReceiptStreamReport& r) { return r.report.ok(); });
}

bool ReplaySummary::fails(FailOn f) const noexcept {
  if (f == FailOn::None) return false;
  if (!receipt_chains_ok()) return true;
  switch (f) {
    case FailOn::Deny: return replay_denies() > 0;
    case FailOn::Drift: return drift_count() > 0;
    case FailOn::Any:
      return drift_count() > 0 || replay_denies() > 0 ||
             outcomes[static_cast<std::size_t>(ReplayOutcome::Undecidable)] > 0 ||
             outcomes[static_cast<std::size_t>(ReplayOutcome::Malformed)] > 0;
    case FailOn::None: return false;
  }
  return false;
}

namespace {

class SummaryBuilder {
 public:
  SummaryBuilder(const ReplayOptions& o, std::vector<std::string> inputs) : m_opts(o) {
    m_s.inputs = std::move(inputs);
  }

  ReplaySummary& summary() { return m_s; }

  void add(const ReplayResult& r) {
    const auto oi = static_cast<std::size_t>(r.outcome);
    ++m_s.outcomes[oi];
    ++m_s.kinds[r.kind];
    if (r.outcome == ReplayOutcome::Malformed) {
      keep(m_s.malformed, m_s.malformed_omitted, r);
      return;
    }
    if (r.outcome == ReplayOutcome::Undecidable) {
      ++m_s.undecidable[r.undecidable];
      keep(m_s.undecided, m_s.undecided_omitted, r);
    }
    if (r.outcome == ReplayOutcome::DriftAllowToDeny || r.outcome == ReplayOutcome::DriftDenyToAllow)
      keep(m_s.drifts, m_s.drifts_omitted, r);
    ++m_s.pop[r.pop];
    const std::string_view tool = r.tool.empty() ? std::string_view("(none)") : std::string_view(r.tool);
    auto it = m_s.by_tool.find(tool);
    if (it == m_s.by_tool.end())
      it = m_s.by_tool.try_emplace(std::string(m_s.by_tool.size() >= m_opts.max_tools ? "(other)" : tool)).first;
    ++it->second.outcomes[oi];
    if (r.replayed == AuditDecision::Deny && r.replay_code) {
      ++m_s.by_code[*r.replay_code];
      if (r.denied_arguments.empty())
        count_pair(r.tool, "");
      else
        for (const auto& a : r.denied_arguments) count_pair(r.tool, a);
    }
  }

  ReplaySummary finish() {
    std::vector<DeniedPair> all;
    all.reserve(m_pairs.size());
    for (auto& [k, n] : m_pairs) all.push_back(DeniedPair{k.first, k.second, n});
    std::sort(all.begin(), all.end(), [](const DeniedPair& a, const DeniedPair& b) {
      if (a.count != b.count) return a.count > b.count;
      return std::tie(a.tool, a.argument) < std::tie(b.tool, b.argument);
    });
    if (all.size() > 10) all.resize(10);
    m_s.top_denied = std::move(all);
    return std::move(m_s);
  }

 private:
  void keep(std::vector<ReplayResult>& list, std::uint64_t& omitted, const ReplayResult& r) {
    if (list.size() >= m_opts.max_listed) {
      ++omitted;
      return;
    }
    list.push_back(r);
    list.back().receipt.reset();  // the receipt's bytes are not needed in the summary
  }

  void count_pair(const std::string& tool, const std::string& arg) {
    auto key = std::make_pair(tool, arg);
    auto it = m_pairs.find(key);
    if (it == m_pairs.end()) {
      if (m_pairs.size() >= 10000) key = {"(other)", ""};
      it = m_pairs.try_emplace(std::move(key), 0).first;
    }
    ++it->second;
  }

  const ReplayOptions& m_opts;
  ReplaySummary m_s;
  std::map<std::pair<std::string, std::string>, std::size_t> m_pairs;
};

}  // namespace

// ---------------------------------------------------------------- Replayer

struct Replayer::Impl {
  ReplayOptions opts;
  std::unique_ptr<ChainEntry> against;
  std::unique_ptr<std::once_flag[]> index_once;
  std::unique_ptr<ChainEntry[]> index_entries;
  BytesCache bytes_cache;
  mutable std::atomic<std::uint64_t> decoded{0};
  mutable std::atomic<std::uint64_t> hits{0};

  explicit Impl(ReplayOptions o) : opts(std::move(o)), bytes_cache(opts.chain_cache_bytes) {}

  // ---- chain resolution

  ChainEntry* index_entry(std::size_t slot) {
    bool first = false;
    std::call_once(index_once[slot], [&] {
      first = true;
      index_entries[slot].init(opts.warrants->at_slot(slot), opts.roots);
    });
    if (first)
      ++decoded;
    else
      ++hits;
    return &index_entries[slot];
  }

  // The returned slot stays alive while the caller holds it, even if the cache drops it.
  std::shared_ptr<CacheSlot> bytes_entry(ByteView bytes) {
    bool hit = false;
    auto slot = bytes_cache.get(bytes, hit);
    bool first = false;
    std::call_once(slot->once, [&] {
      first = true;
      slot->entry.init(decode_warrants(bytes), opts.roots);
    });
    if (first)
      ++decoded;
    else
      ++hits;
    return slot;
  }

  // ---- the decision

  struct Call {
    ChainEntry* entry = nullptr;
    std::shared_ptr<CacheSlot> hold;  // keeps a bytes-cache entry alive for this record
    bool chain_only = false;
    bool receipt = false;  // no arguments known
    std::string_view tool;
    const Object* args = nullptr;
    std::optional<Bytes> pop;  // present = re-check it
    PopReplay pop_skip = PopReplay::SkippedNotRecorded;
    std::int64_t event_time = 0;
    std::int64_t at = 0;
  };

  void decide(const Call& c, ReplayResult& r) const {
    r.at = c.at;
    static const Object kNoArgs;
    const Object& args = c.args != nullptr ? *c.args : kNoArgs;
    if (c.entry->decode_error) {
      deny(r, *c.entry->decode_error);
      r.pop = c.chain_only ? PopReplay::NotApplicable : PopReplay::NotReached;
      r.reason = c.entry->decode_error->message;
      return;
    }
    VerdictPtr hold;
    const Result<VerifiedChain>* v = c.entry->verdict_at(c.at, opts.roots, hold);
    if (!r.warrant_id.size()) r.warrant_id = c.entry->leaf_id;
    if (!*v) {
      deny(r, v->error());
      r.pop = c.chain_only ? PopReplay::NotApplicable : PopReplay::NotReached;
      return;
    }
    if (c.chain_only) {
      r.replayed = AuditDecision::Allow;
      r.pop = PopReplay::NotApplicable;
      return;
    }
    const VerifiedChain& vc = **v;
    const Payload& leaf = vc.leaf().payload();
    const auto* entry = lookup_tool(leaf, c.tool);
    const bool reaches_pop = leaf.type == WarrantType::Execution && entry != nullptr;
    const ToolCall call{std::string(c.tool), args, std::nullopt};
    const AuthorizeOptions skip{.pop_windows = opts.pop_windows, .pop = PopPolicy::Skip};
    if (!reaches_pop) {
      auto a = authorize(vc, call, skip);
      r.pop = PopReplay::NotReached;
      if (a)
        r.replayed = AuditDecision::Allow;  // not reachable: authorize denies what lookup refuses
      else
        deny(r, a.error());
      return;
    }
    if (c.receipt) {
      r.pop = c.pop_skip;
      if (!entry->second.empty()) {
        r.outcome = ReplayOutcome::Undecidable;
        r.undecidable = UndecidableReason::ArgumentsUnavailable;
        r.reason = fmt::format("tool '{}' is constrained ({} argument constraint(s)) and a receipt carries no arguments",
                               c.tool, entry->second.constraints.size());
        return;
      }
      auto a = authorize(vc, call, skip);
      if (a)
        r.replayed = AuditDecision::Allow;
      else
        deny(r, a.error());
      return;
    }
    // PoP: the step between the tool lookup and the constraints (WIRE.md §10.3 step 6), checked
    // at the record's own time — a proof is bound to the window it was made in, whatever
    // instant the chain is judged at.
    if (c.pop) {
      const auto sig = as_signature(*c.pop);
      Result<PopVerification> pv =
          sig ? pop_verify(leaf.holder, leaf.id, c.tool, args, ByteView(*sig), c.event_time, opts.pop_windows)
              : Result<PopVerification>(fail(ErrorCode::SignatureInvalid,
                                             fmt::format("the recorded PoP is {} bytes, not 64", c.pop->size())));
      if (!pv) {
        r.pop = PopReplay::Failed;
        deny(r, pv.error());
        r.reason = pop_reason(leaf, c, args, sig);
        return;
      }
      r.pop = PopReplay::Verified;
    } else {
      r.pop = c.pop_skip;
    }
    auto a = authorize(vc, call, skip);
    if (a)
      r.replayed = AuditDecision::Allow;
    else
      deny(r, a.error());
  }

  static void deny(ReplayResult& r, const Error& e) {
    r.replayed = AuditDecision::Deny;
    r.replay_code = e.code;
    r.replay_message = e.message;
  }

  std::string pop_reason(const Payload& leaf, const Call& c, const Object& args,
                         const std::optional<Signature>& sig) const {
    if (!sig) return fmt::format("the recorded proof of possession is {} bytes, not 64", c.pop->size());
    const PopDiagnosis d = pop_diagnose(leaf.holder, leaf.id, c.tool, args, ByteView(*sig), c.event_time,
                                        opts.pop_windows, 120);
    switch (d.finding) {
      case PopFinding::Valid: return "the proof of possession verifies";
      case PopFinding::OutsideWindow:
        return fmt::format("the proof of possession verifies {} window(s) of 30 s away from the record's time "
                           "(clock skew or a replayed proof)",
                           d.offset.value_or(0));
      case PopFinding::LegacySigner:
        return "the proof of possession was made under the 0.2.x argument rules (pre-0.3.2 signer)";
      case PopFinding::Invalid: break;
    }
    return "the proof of possession does not verify for this call (wrong key, tool, arguments or bytes)";
  }

  // Fills reason/fix/denied_arguments of a replay denial from diagnose().
  void explain(const Call& c, ReplayResult& r) const {
    if (!c.entry->chain) return;
    static const Object kNoArgs;
    DiagnoseOptions dopts{.now = c.at, .pop_windows = opts.pop_windows, .pop_required = false};
    DiagnoseCall call{std::string(c.tool), c.args != nullptr ? *c.args : kNoArgs, std::nullopt};
    const Diagnosis d = diagnose(*c.entry->chain, &opts.roots, dopts, c.chain_only ? nullptr : &call);
    std::string reason;
    auto add = [&](const std::string& s) {
      if (!reason.empty()) reason += "; ";
      reason += s;
    };
    for (const auto& chk : d.checks)
      if (chk.status == CheckStatus::Fail && chk.check != "constraints") add(fmt::format("{}: {}", chk.check, chk.detail));
    for (const auto& a : d.arguments) {
      std::string s = a.constraint.empty()
                          ? fmt::format("argument '{}' = {}: {}", a.arg, a.value, a.reason)
                          : fmt::format("argument '{}' = {} violates {}: {}", a.arg, a.value, a.constraint, a.reason);
      if (a.introduced_at) s += fmt::format(" (narrowed at {})", a.link);
      add(s);
      if (std::find(r.denied_arguments.begin(), r.denied_arguments.end(), a.arg) == r.denied_arguments.end())
        r.denied_arguments.push_back(a.arg);
    }
    if (reason.empty())
      for (const auto& chk : d.checks)
        if (chk.status == CheckStatus::Fail) add(fmt::format("{}: {}", chk.check, chk.detail));
    if (!reason.empty()) r.reason = std::move(reason);
    if (!d.fixes.empty()) r.fix = d.fixes.front().summary;
  }

  // The arguments a constraint denial rejects, for the top denied tool/argument pairs: the
  // closed-world and per-constraint steps of check_constraints(), without diagnose()'s cost
  // (consistent denials are common; diagnose() is kept for drifts).
  static void failing_arguments(const Call& c, ReplayResult& r) {
    if (!c.entry->chain || c.args == nullptr) return;
    const auto* e = lookup_tool(c.entry->chain->back().payload(), c.tool);
    if (e == nullptr) return;
    const ConstraintSet& set = e->second;
    const Object args = without_nulls(*c.args);
    if (!set.empty() && !set.allow_unknown)
      for (const auto& m : args)
        if (set.find(m.key) == nullptr) r.denied_arguments.push_back(m.key);
    for (const auto& [arg, con] : set.constraints) {
      const Value* v = member(args, arg);
      if (v == nullptr) {
        r.denied_arguments.push_back(arg);
        continue;
      }
      auto m = evaluate(con, *v);
      if (!m || !m->ok) r.denied_arguments.push_back(arg);
    }
  }

  void classify(const Call& c, ReplayResult& r) const {
    if (r.outcome == ReplayOutcome::Undecidable) return;  // decided earlier (e.g. receipt arguments)
    if (!r.replayed) return;
    if (!r.recorded) {
      r.outcome = ReplayOutcome::Undecidable;
      r.undecidable = UndecidableReason::NoDecision;
      r.reason = "the record carries no decision";
      return;
    }
    const bool rec_allow = *r.recorded == AuditDecision::Allow;
    const bool rep_allow = *r.replayed == AuditDecision::Allow;
    if (rec_allow && rep_allow) {
      r.outcome = ReplayOutcome::ConsistentAllow;
    } else if (!rec_allow && !rep_allow) {
      r.outcome = ReplayOutcome::ConsistentDeny;
    } else if (rec_allow && r.replay_code == ErrorCode::ApprovalRequired) {
      // The allow passed an approval gate with approvals no record keeps.
      r.outcome = ReplayOutcome::Undecidable;
      r.undecidable = UndecidableReason::ApprovalsUnavailable;
      r.reason = "recorded an allow behind an approval gate; the approvals it carried are not recorded";
    } else if (rec_allow) {
      r.outcome = ReplayOutcome::DriftAllowToDeny;
    } else {
      // Recorded deny, replay allow: only a drift when the replay could see the reason.
      const bool pop_skipped = r.pop == PopReplay::SkippedNotRecorded || r.pop == PopReplay::SkippedAgainst ||
                               r.pop == PopReplay::SkippedNoArguments;
      if (pop_skipped && (!r.recorded_code || is_pop_code(*r.recorded_code))) {
        r.outcome = ReplayOutcome::Undecidable;
        r.undecidable = UndecidableReason::PopUnavailable;
        r.reason = r.recorded_code
                       ? fmt::format("recorded a proof-of-possession denial ({}), which cannot be re-checked here",
                                     name(*r.recorded_code))
                       : "recorded a denial without a code, and the proof of possession (a possible cause) cannot "
                         "be re-checked here";
        return;
      }
      if (r.recorded_code == ErrorCode::WarrantRevoked) {
        r.outcome = ReplayOutcome::Undecidable;
        r.undecidable = UndecidableReason::RevocationUnknown;
        r.reason = "recorded a revocation; the replay has no revocation list";
        return;
      }
      r.outcome = ReplayOutcome::DriftDenyToAllow;
      r.reason = r.recorded_code ? fmt::format("recorded deny ({}) but the replay allows the call", name(*r.recorded_code))
                                 : "recorded deny but the replay allows the call";
      return;
    }
    // Denials: the why-denied reason for drifts, and the failing arguments for constraint
    // denials (top denied tool/argument pairs); the verdict's message otherwise.
    if (!rep_allow) {
      if (r.reason.empty()) r.reason = r.replay_message;
      const bool argument_code = r.replay_code && *r.replay_code != ErrorCode::SignatureInvalid &&
                                 (static_cast<int>(*r.replay_code) / 100 == 15 || *r.replay_code == ErrorCode::ApprovalRequired);
      if (r.pop == PopReplay::Failed) return;
      if (r.outcome == ReplayOutcome::DriftAllowToDeny)
        explain(c, r);
      else if (argument_code)
        failing_arguments(c, r);
    }
  }

  // ---- per format

  void undecidable(ReplayResult& r, UndecidableReason why, std::string reason) const {
    r.outcome = ReplayOutcome::Undecidable;
    r.undecidable = why;
    r.reason = std::move(reason);
  }

  static void malformed(ReplayResult& r, std::string reason) {
    r.outcome = ReplayOutcome::Malformed;
    r.reason = std::move(reason);
  }

  std::int64_t eval_at(std::int64_t event_time) const { return opts.at ? *opts.at : event_time; }

  void replay_tenuo(std::string_view line, ReplayResult& r) const {
    r.kind = RecordKind::Tenuo;
    auto rec = parse_audit_line(line);
    if (!rec) return malformed(r, rec.error().message);
    r.event_time = rec->time;
    r.recorded = rec->decision;
    if (rec->error) r.recorded_code = rec->error->code;
    r.tool = rec->tool.value_or("");
    if (rec->warrant_id) r.warrant_id = *rec->warrant_id;

    Call c;
    c.chain_only = !rec->tool;
    c.tool = r.tool;
    c.event_time = rec->time;
    c.at = eval_at(rec->time);
    std::optional<Object> parsed_args;
    if (!c.chain_only) {
      if (rec->arguments) {
        c.args = &*rec->arguments;
      } else if (rec->arguments_text) {
        auto a = parse_arguments(*rec->arguments_text);
        if (!a) {
          // The call's argument text was not valid 0.3.2 JSON: enforce mode refuses it too.
          r.at = c.at;
          deny(r, a.error());
          r.reason = a.error().message;
          r.pop = PopReplay::NotReached;
          if (!resolve_chain(opt_ptr(rec->chain), opt_view(rec->warrant_id), c, r)) return;
          classify(c, r);
          return;
        }
        parsed_args = std::move(*a);
        c.args = &*parsed_args;
      }
      if (c.args != nullptr) {
        if (auto m = args_marker(*c.args); m != Marker::None)
          return undecidable(r, m == Marker::Redacted ? UndecidableReason::ArgumentsRedacted : UndecidableReason::ArgumentsTruncated,
                             "the recorded arguments are redacted or truncated");
      }
    }
    if (!resolve_chain(opt_ptr(rec->chain), opt_view(rec->warrant_id), c, r)) return;
    if (opts.against)
      c.pop_skip = PopReplay::SkippedAgainst;
    else if (rec->pop)
      c.pop = *rec->pop;
    decide(c, r);
    classify(c, r);
  }

  static const Bytes* opt_ptr(const std::optional<Bytes>& b) { return b ? &*b : nullptr; }
  static std::optional<std::string_view> opt_view(const std::optional<std::string>& s) {
    if (!s) return std::nullopt;
    return std::string_view(*s);
  }

  // Picks the chain for a record: the candidate, the record's own bytes, or its warrant id in
  // the index. False (and the result made undecidable) when none.
  bool resolve_chain(const Bytes* chain, std::optional<std::string_view> warrant_id, Call& c,
                     ReplayResult& r) const {
    auto* self = const_cast<Impl*>(this);
    if (against) {
      c.entry = against.get();
      return true;
    }
    if (chain) {
      c.hold = self->bytes_entry(*chain);
      c.entry = &c.hold->entry;
      return true;
    }
    if (warrant_id) {
      auto id = fast_warrant_id(*warrant_id);
      if (id && opts.warrants) {
        if (auto slot = opts.warrants->slot(*id)) {
          c.entry = self->index_entry(*slot);
          return true;
        }
      }
      r.replayed.reset();
      r.replay_code.reset();
      undecidable(r, UndecidableReason::WarrantNotFound,
                  opts.warrants ? fmt::format("warrant {} is not in --warrants", *warrant_id)
                                : fmt::format("warrant {} cannot be resolved: no --warrants given", *warrant_id));
      return false;
    }
    r.replayed.reset();
    r.replay_code.reset();
    undecidable(r, UndecidableReason::NoWarrant, "the record carries neither a chain nor a warrant id");
    return false;
  }

  // The members an SDK event may carry, found in one pass (events are read by the million).
  struct SdkFields {
    const Value* event_type = nullptr;
    const Value* ts = nullptr;
    const Value* ts_alt = nullptr;  // "timestamp"
    const Value* tool = nullptr;
    const Value* warrant_id = nullptr;
    const Value* action = nullptr;
    const Value* decision = nullptr;
    const Value* outcome = nullptr;
    const Value* error_code = nullptr;
    const Value* constraints = nullptr;
    const Value* arguments = nullptr;
    std::string_view flag;  // the first redaction/truncation flag set to true
  };

  static SdkFields sdk_fields(const Object& o) {
    SdkFields f;
    for (const auto& m : o) {
      const std::string_view k = m.key;
      const Value* v = &m.value;
      switch (k.size()) {
        case 4: if (k == "tool") f.tool = v; break;
        case 6: if (k == "action") f.action = v; break;
        case 7: if (k == "outcome") f.outcome = v; break;
        case 8:
          if (k == "decision") f.decision = v;
          else if (k == "redacted" && f.flag.empty() && v->is_bool() && v->as_bool()) f.flag = k;
          break;
        case 9:
          if (k == "timestamp") f.ts_alt = v;
          else if (k == "arguments") f.arguments = v;
          else if (k == "truncated" && f.flag.empty() && v->is_bool() && v->as_bool()) f.flag = k;
          break;
        case 10:
          if (k == "@timestamp") f.ts = v;
          else if (k == "event_type") f.event_type = v;
          else if (k == "warrant_id") f.warrant_id = v;
          else if (k == "error_code") f.error_code = v;
          break;
        case 11: if (k == "constraints") f.constraints = v; break;
        case 18: case 19: case 20: case 21:
          if ((k == "arguments_redacted" || k == "arguments_truncated" || k == "constraints_redacted" ||
               k == "constraints_truncated") && f.flag.empty() && v->is_bool() && v->as_bool())
            f.flag = k;
          break;
        default: break;
      }
    }
    if (f.ts == nullptr) f.ts = f.ts_alt;
    return f;
  }

  static std::optional<std::string_view> text_of(const Value* v) {
    if (v == nullptr || !v->is_string()) return std::nullopt;
    return std::string_view(v->as_string());
  }

  void replay_sdk(const Object& o, bool forced, ReplayResult& r) const {
    r.kind = RecordKind::Sdk;
    const SdkFields f = sdk_fields(o);
    if (!forced && f.event_type == nullptr && f.ts == nullptr)
      return malformed(r, "unrecognised record: not a tenuo audit line, an SDK audit event or a receipt");
    if (f.ts == nullptr) return malformed(r, "SDK event without \"@timestamp\"");
    const Value* ts = f.ts;
    if (ts->is_string()) {
      auto t = detail::parse_timestamp(ts->as_string());
      if (!t) return malformed(r, fmt::format("\"@timestamp\": {}", t.error().message));
      r.event_time = *t;
    } else if (ts->is_int()) {
      r.event_time = ts->as_int();
    } else if (ts->is_float() && std::isfinite(ts->as_float()) && std::abs(ts->as_float()) < 9.0e18) {
      r.event_time = static_cast<std::int64_t>(std::floor(ts->as_float()));
    } else {
      return malformed(r, "\"@timestamp\" must be an RFC 3339 string or unix seconds");
    }
    if (auto t = text_of(f.tool)) r.tool = std::string(*t);
    const auto wid = text_of(f.warrant_id);
    if (wid) r.warrant_id = std::string(*wid);

    std::optional<AuditDecision> decision;
    if (auto et = text_of(f.event_type)) decision = decision_word(*et);
    for (const Value* v : {f.action, f.decision, f.outcome}) {
      if (decision) break;
      if (auto a = text_of(v)) decision = decision_word(*a);
    }
    r.recorded = decision;
    if (f.error_code != nullptr) r.recorded_code = code_from_any(*f.error_code);

    if (!decision && r.tool.empty())
      return undecidable(r, UndecidableReason::NotACall,
                         fmt::format("event \"{}\" is not an authorization decision", text_of(f.event_type).value_or("")));
    if (!decision) return undecidable(r, UndecidableReason::NoDecision, "the event records no allow/deny decision");

    Call c;
    c.chain_only = r.tool.empty();
    c.tool = r.tool;
    c.event_time = *r.event_time;
    c.at = eval_at(c.event_time);
    c.pop_skip = opts.against ? PopReplay::SkippedAgainst : PopReplay::SkippedNotRecorded;
    if (!c.chain_only) {
      if (!f.flag.empty())
        return undecidable(r,
                           f.flag.find("redacted") != std::string_view::npos ? UndecidableReason::ArgumentsRedacted
                                                                            : UndecidableReason::ArgumentsTruncated,
                           fmt::format("the event is flagged \"{}\"", f.flag));
      const Value* a = f.constraints;
      if (a == nullptr || a->is_null()) a = f.arguments;
      if (a == nullptr || a->is_null())
        return undecidable(r, UndecidableReason::ArgumentsUnavailable, "the event does not record the call's arguments");
      if (!a->is_object()) return malformed(r, "\"constraints\" must be an object (the call's arguments)");
      c.args = &a->as_object();
      if (auto m = args_marker(*c.args); m != Marker::None)
        return undecidable(r, m == Marker::Redacted ? UndecidableReason::ArgumentsRedacted : UndecidableReason::ArgumentsTruncated,
                           "the recorded arguments are redacted or truncated");
    }
    if (!resolve_chain(nullptr, wid, c, r)) return;
    decide(c, r);
    classify(c, r);
  }

  void replay_receipt(std::string_view line, ReplayResult& r) const {
    r.kind = RecordKind::Receipt;
    auto parsed = parse_receipt_line(line);
    if (!parsed) {
      r.receipt = std::make_shared<const Result<Receipt>>(Unexpected{parsed.error()});
      return malformed(r, parsed.error().message);
    }
    if (!parsed->has_value()) return malformed(r, "blank receipt line");
    r.receipt = std::make_shared<const Result<Receipt>>(verify_receipt(**parsed));
    const Result<Receipt>& rc = *r.receipt;
    if (!rc) {
      if (rc.error().code == ErrorCode::SignatureInvalid)
        return undecidable(r, UndecidableReason::ReceiptRejected,
                           "the receipt's signature does not verify: altered or forged");
      return malformed(r, rc.error().message);
    }
    const ReceiptPayload& p = rc->payload;
    r.event_time = p.timestamp;
    r.tool = p.action.starts_with("tool:") ? p.action.substr(5) : p.action;
    if (p.outcome == "allow") r.recorded = AuditDecision::Allow;
    if (p.outcome == "deny") r.recorded = AuditDecision::Deny;
    if (p.decision_code) r.recorded_code = code_from_name(*p.decision_code);
    if (auto f = check_receipt_fields(p); !f)
      return undecidable(r, UndecidableReason::NoDecision, fmt::format("receipt claims: {}", f.error().message));
    Call c;
    c.receipt = true;
    c.tool = r.tool;
    c.event_time = p.timestamp;
    c.at = eval_at(p.timestamp);
    c.pop_skip = opts.against ? PopReplay::SkippedAgainst : PopReplay::SkippedNoArguments;
    if (!resolve_chain(&p.warrant_chain, std::nullopt, c, r)) return;
    decide(c, r);
    classify(c, r);
  }

  // One line of a stream. A tenuo line that does not parse may be the torn start of a record
  // whose writer was killed mid-append, with a complete record appended straight after it by a
  // writer that could not see the tear. Then the complete record is found at a later
  // `{"tenuo_audit":`, the torn bytes before it are reported as malformed, and the record is
  // replayed. Only a suffix that is a whole, valid record line counts: an object nested in the
  // arguments can never be one (the enclosing object's closing braces follow it). The search is
  // bounded, so a hostile line costs at most a few parses.
  void replay_stream_line(std::string_view line, std::size_t input, std::size_t line_no,
                          std::vector<ReplayResult>& out) const {
    auto r = replay_line(line, input, line_no);
    if (!r) return;
    if (r->outcome == ReplayOutcome::Malformed && r->kind == RecordKind::Tenuo) {
      static constexpr std::string_view kStart = "{\"tenuo_audit\":";
      constexpr int kMaxTries = 8;
      std::size_t at = line.find(kStart, 1);
      for (int tries = 0; at != std::string_view::npos && tries < kMaxTries; ++tries) {
        const std::string_view rest = line.substr(at);
        if (parse_audit_line(rest)) {
          r->reason = fmt::format("torn record ({} bytes: a writer stopped mid-append); the complete "
                                  "record after it on this line is replayed",
                                  at);
          out.push_back(std::move(*r));
          if (auto tail = replay_line(rest, input, line_no)) out.push_back(std::move(*tail));
          return;
        }
        at = line.find(kStart, at + 1);
      }
    }
    out.push_back(std::move(*r));
  }

  std::optional<ReplayResult> replay_line(std::string_view line, std::size_t input, std::size_t line_no) const {
    const std::string_view t = trim(line);
    if (t.empty()) return std::nullopt;
    ReplayResult r;
    r.input = input;
    r.line = line_no;
    const ReplayFormat f = opts.format;
    if (f == ReplayFormat::Receipts) {
      replay_receipt(line, r);
      return r;
    }
    if (t.front() != '{') {
      if (f == ReplayFormat::Auto && is_hex_text(t)) {
        replay_receipt(line, r);
        return r;
      }
      r.kind = f == ReplayFormat::Tenuo ? RecordKind::Tenuo : f == ReplayFormat::Sdk ? RecordKind::Sdk : RecordKind::Unknown;
      malformed(r, "not a JSON object");
      return r;
    }
    if (f == ReplayFormat::Tenuo) {
      replay_tenuo(line, r);
      return r;
    }
    if (f == ReplayFormat::Auto) {
      // Our writer puts "tenuo_audit" first; a line reordered by another tool is recognised
      // after the generic parse below.
      if (trim(t.substr(1)).starts_with("\"tenuo_audit\"")) {
        replay_tenuo(line, r);
        return r;
      }
      if (trim(t.substr(1)).starts_with("\"receipt\"")) {
        replay_receipt(line, r);
        return r;
      }
    }
    ArgumentLimits lim;
    lim.max_text_bytes = opts.max_line;
    lim.max_depth = 32;
    lim.max_values = std::numeric_limits<std::size_t>::max() / 2;
    lim.max_entries = std::size_t{1} << 16;
    lim.max_string_bytes = opts.max_line;
    lim.max_total_string_bytes = opts.max_line;
    auto parsed = detail::parse_json_object(t, lim, detail::NumberStyle::V032);
    if (!parsed) {
      malformed(r, fmt::format("not JSON: {}", parsed.error().message));
      return r;
    }
    if (f == ReplayFormat::Auto && member(*parsed, "tenuo_audit") != nullptr) {
      replay_tenuo(line, r);
      return r;
    }
    if (f == ReplayFormat::Auto && member(*parsed, "receipt") != nullptr) {
      replay_receipt(line, r);
      return r;
    }
    replay_sdk(*parsed, f == ReplayFormat::Sdk, r);
    return r;
  }
};

Replayer::Replayer(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Replayer::~Replayer() = default;
Replayer::Replayer(Replayer&&) noexcept = default;
Replayer& Replayer::operator=(Replayer&&) noexcept = default;

const ReplayOptions& Replayer::options() const noexcept { return m_impl->opts; }

Result<Replayer> Replayer::create(ReplayOptions opts) {
  if (opts.roots.keys.empty())
    return fail(ErrorCode::InvalidInput, "no trusted root: a replay needs at least one trusted root key");
  if (opts.pop_windows < kPopMinWindows || opts.pop_windows > kPopMaxWindows)
    return fail(ErrorCode::InvalidInput, fmt::format("PoP windows must be {}..{}", kPopMinWindows, kPopMaxWindows));
  if (opts.against && opts.against->empty())
    return fail(ErrorCode::InvalidInput, "the candidate chain is empty");
  if (opts.max_line == 0) opts.max_line = kMaxAuditLineBytes;
  auto impl = std::make_unique<Impl>(std::move(opts));
  if (impl->opts.against) {
    impl->against = std::make_unique<ChainEntry>();
    impl->against->init(*impl->opts.against, impl->opts.roots);
  }
  if (impl->opts.warrants) {
    const std::size_t n = impl->opts.warrants->size();
    impl->index_once = std::make_unique<std::once_flag[]>(n);
    impl->index_entries = std::make_unique<ChainEntry[]>(n);
  }
  return Replayer(std::move(impl));
}

std::optional<ReplayResult> Replayer::replay_line(std::string_view text, std::size_t input, std::size_t line) const {
  return m_impl->replay_line(text, input, line);
}

// ---------------------------------------------------------------- the streaming pipeline

namespace {

constexpr std::size_t kBatchLines = 256;
constexpr std::size_t kBatchBytes = 1u << 20;

struct Batch {
  std::size_t seq = 0;
  std::size_t input = 0;
  bool end_of_input = false;
  std::uint64_t bytes = 0;  // input bytes covered, blank lines included
  std::string data;
  std::vector<std::pair<std::size_t, std::size_t>> spans;  // offset, length in data
  std::vector<std::size_t> line_nos;
  std::vector<ReplayResult> results;  // in line order; a line gives 0 (blank), 1 or 2 (torn)

  [[nodiscard]] bool empty() const { return spans.empty(); }
  [[nodiscard]] bool full() const { return spans.size() >= kBatchLines || data.size() >= kBatchBytes; }
  void add(std::size_t line_no, std::string_view line) {
    spans.emplace_back(data.size(), line.size());
    data.append(line);
    line_nos.push_back(line_no);
  }
  // Empties the batch, keeping its buffers for the next one.
  void reset(std::size_t in) {
    input = in;
    end_of_input = false;
    bytes = 0;
    data.clear();
    spans.clear();
    line_nos.clear();
    results.clear();
  }
};

// Decides batches on worker threads and hands them back in submission order on the calling
// thread. At most `window` batches are in flight (queued, being decided, or decided and waiting
// for an earlier one), which bounds both the queue and the reorder buffer.
class Pipeline {
 public:
  Pipeline(unsigned threads, std::function<void(Batch&)> work, std::function<void(Batch&)> deliver)
      : m_work(std::move(work)), m_deliver(std::move(deliver)), m_window(threads <= 1 ? 1 : 4 * threads) {
    if (threads > 1)
      for (unsigned i = 0; i < threads; ++i) m_threads.emplace_back([this] { worker(); });
  }
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;
  ~Pipeline() { stop(); }

  // An empty batch for `input`, reusing the buffers of a delivered one when there is one.
  // Calling thread only (as are submit and finish, which recycle delivered batches).
  Batch take(std::size_t input) {
    Batch b;
    if (!m_pool.empty()) {
      b = std::move(m_pool.back());
      m_pool.pop_back();
    }
    b.reset(input);
    return b;
  }

  void submit(Batch b) {
    b.seq = m_next_submit++;
    if (m_threads.empty()) {
      m_work(b);
      m_deliver(b);
      ++m_next_deliver;
      recycle(std::move(b));
      return;
    }
    std::unique_lock lock(m_mutex);
    while (b.seq - m_next_deliver >= m_window) {
      if (!deliver_ready(lock)) m_done_cv.wait(lock);
    }
    m_queue.push_back(std::move(b));
    m_work_cv.notify_one();
    deliver_ready(lock);
  }

  void finish() {
    if (m_threads.empty()) return;
    std::unique_lock lock(m_mutex);
    while (m_next_deliver < m_next_submit) {
      if (!deliver_ready(lock)) m_done_cv.wait(lock);
    }
    lock.unlock();
    stop();
  }

 private:
  // Delivers every decided batch that is next in order; true if it delivered any.
  bool deliver_ready(std::unique_lock<std::mutex>& lock) {
    bool any = false;
    for (;;) {
      auto it = m_done.find(m_next_deliver);
      if (it == m_done.end()) return any;
      if (m_error) std::rethrow_exception(m_error);  // a worker failed (a bug): stop here
      Batch b = std::move(it->second);
      m_done.erase(it);
      lock.unlock();
      m_deliver(b);
      recycle(std::move(b));
      lock.lock();
      ++m_next_deliver;
      any = true;
    }
  }

  void worker() {
    for (;;) {
      Batch b;
      {
        std::unique_lock lock(m_mutex);
        m_work_cv.wait(lock, [&] { return m_stop || !m_queue.empty(); });
        if (m_queue.empty()) return;
        b = std::move(m_queue.front());
        m_queue.pop_front();
      }
      try {
        m_work(b);
      } catch (...) {
        std::lock_guard lock(m_mutex);
        if (!m_error) m_error = std::current_exception();
      }
      std::lock_guard lock(m_mutex);
      m_done.emplace(b.seq, std::move(b));
      m_done_cv.notify_all();
    }
  }

  void stop() {
    {
      std::lock_guard lock(m_mutex);
      m_stop = true;
      m_queue.clear();
    }
    m_work_cv.notify_all();
    for (auto& t : m_threads) t.join();
    m_threads.clear();
  }

  void recycle(Batch b) {
    if (m_pool.size() < 4) m_pool.push_back(std::move(b));
  }

  std::function<void(Batch&)> m_work;
  std::function<void(Batch&)> m_deliver;
  std::size_t m_window;
  std::vector<Batch> m_pool;  // calling thread only
  std::vector<std::thread> m_threads;
  std::mutex m_mutex;
  std::condition_variable m_work_cv;
  std::condition_variable m_done_cv;
  std::deque<Batch> m_queue;
  std::map<std::size_t, Batch> m_done;
  std::size_t m_next_submit = 0;
  std::size_t m_next_deliver = 0;
  bool m_stop = false;
  std::exception_ptr m_error;
};

}  // namespace

Result<ReplaySummary> Replayer::run(const std::vector<std::string>& inputs,
                                    const std::function<void(const ReplayResult&)>& on_result) {
  const ReplayOptions& o = m_impl->opts;
  if (std::count(inputs.begin(), inputs.end(), "-") > 1)
    return fail(ErrorCode::InvalidInput, "standard input (-) can be read only once");
  ReplayProgress progress;
  for (const auto& path : inputs) {
    if (path == "-") continue;
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return fail(ErrorCode::Io, fmt::format("cannot open {}: {}", path, std::strerror(errno)));
    struct stat st {};
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) progress.total_bytes += static_cast<std::uint64_t>(st.st_size);
    ::close(fd);
  }

  SummaryBuilder sb(o, inputs);
  std::vector<std::optional<ReceiptChainChecker>> checkers(inputs.size());
  const Impl& impl = *m_impl;

  auto work = [&impl](Batch& b) {
    b.results.clear();
    b.results.reserve(b.spans.size());
    for (std::size_t i = 0; i < b.spans.size(); ++i)
      impl.replay_stream_line(std::string_view(b.data).substr(b.spans[i].first, b.spans[i].second), b.input,
                              b.line_nos[i], b.results);
  };
  auto deliver = [&](Batch& b) {
    for (auto& r : b.results) {
      if (r.receipt) {
        auto& chk = checkers[b.input];
        if (!chk) chk.emplace(o.receipt_signers);
        chk->add_result(r.line, *r.receipt);
      }
      sb.add(r);
      if (on_result) on_result(r);
      ++progress.records;
    }
    progress.bytes += b.bytes;
    if (b.end_of_input && checkers[b.input]) {
      sb.summary().receipt_chains.push_back(ReceiptStreamReport{b.input, checkers[b.input]->finish()});
      checkers[b.input].reset();
    }
    if (o.progress) o.progress(progress);
  };

  Pipeline pipeline(o.threads, work, deliver);
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (o.format == ReplayFormat::Receipts) checkers[i].emplace(o.receipt_signers);
    Batch cur = pipeline.take(i);
    auto res = for_each_line(
        inputs[i],
        [&](std::size_t line_no, std::string_view line) {
          ++sb.summary().lines;
          cur.bytes += line.size();
          if (trim(line).empty()) {
            ++sb.summary().blank;
            return true;
          }
          cur.add(line_no, line);
          if (cur.full()) {
            pipeline.submit(std::move(cur));
            cur = pipeline.take(i);
          }
          return true;
        },
        o.max_line);
    if (!res) return Unexpected{std::move(res).error()};
    cur.end_of_input = true;
    pipeline.submit(std::move(cur));
  }
  pipeline.finish();
  sb.summary().chains_decoded = impl.decoded.load();
  sb.summary().chains_in_cache = impl.hits.load();
  return sb.finish();
}

// ---------------------------------------------------------------- JSON of one result

std::string replay_result_json(const ReplayResult& r, std::string_view file) {
  std::string out = "{\"type\":\"record\",\"file\":";
  detail::append_json_string(out, file);
  out += fmt::format(",\"line\":{},\"format\":\"{}\",\"outcome\":\"{}\"", r.line, record_kind_name(r.kind),
                     outcome_name(r.outcome));
  if (r.undecidable != UndecidableReason::None)
    out += fmt::format(",\"undecidable\":\"{}\"", undecidable_name(r.undecidable));
  if (!r.tool.empty()) {
    out += ",\"tool\":";
    detail::append_json_string(out, r.tool);
  }
  if (!r.warrant_id.empty()) {
    out += ",\"warrant_id\":";
    detail::append_json_string(out, r.warrant_id);
  }
  if (r.event_time) out += fmt::format(",\"event_time\":{}", *r.event_time);
  if (r.at) out += fmt::format(",\"at\":{}", *r.at);
  if (r.recorded) {
    out += fmt::format(",\"recorded\":{{\"decision\":\"{}\"", *r.recorded == AuditDecision::Allow ? "allow" : "deny");
    if (r.recorded_code)
      out += fmt::format(",\"code\":{},\"name\":\"{}\"", static_cast<int>(*r.recorded_code), name(*r.recorded_code));
    out += '}';
  }
  if (r.replayed) {
    out += fmt::format(",\"replay\":{{\"decision\":\"{}\"", *r.replayed == AuditDecision::Allow ? "allow" : "deny");
    if (r.replay_code) {
      out += fmt::format(",\"code\":{},\"name\":\"{}\",\"message\":", static_cast<int>(*r.replay_code), name(*r.replay_code));
      detail::append_json_string(out, r.replay_message);
    }
    out += '}';
  }
  if (r.outcome != ReplayOutcome::Malformed) out += fmt::format(",\"pop\":\"{}\"", pop_replay_name(r.pop));
  if (!r.reason.empty()) {
    out += ",\"reason\":";
    detail::append_json_string(out, r.reason);
  }
  if (!r.fix.empty()) {
    out += ",\"fix\":";
    detail::append_json_string(out, r.fix);
  }
  if (!r.denied_arguments.empty()) {
    out += ",\"denied_arguments\":[";
    for (std::size_t i = 0; i < r.denied_arguments.size(); ++i) {
      if (i) out += ',';
      detail::append_json_string(out, r.denied_arguments[i]);
    }
    out += ']';
  }
  out += '}';
  return out;
}

}  // namespace tenuo
