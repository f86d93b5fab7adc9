#include <tenuo/arguments.hpp>
#include <tenuo/audit_log.hpp>
#include <tenuo/builder.hpp>
#include <tenuo/encoding.hpp>
#include <tenuo/pop.hpp>
#include <tenuo/receipt.hpp>
#include <tenuo/replay.hpp>
#include <tenuo/signing_key.hpp>
#include <tenuo/verify.hpp>

#include "warrant_fixtures.hpp"

#include <doctest/doctest.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <tuple>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

using namespace tenuo;

namespace {

constexpr std::int64_t kT0 = 1704067200;  // 2024-01-01T00:00:00Z

using tenuo::test::key_of;

ConstraintSet cset(std::string_view json) {
  auto s = constraint_set_from_json_text(json);
  REQUIRE_MESSAGE(s, std::string(json));
  return *s;
}

WarrantId wid(std::uint8_t last) {
  WarrantId id{0x01, 0x94, 0x71, 0xf8, 0x00, 0x00, 0x70, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  id[15] = last;
  return id;
}

Object args(std::string_view json) {
  auto a = parse_arguments(json);
  REQUIRE_MESSAGE(a, std::string(json));
  return *a;
}

// root (key 1) -> agent (key 2): read_file {path: /data/*}, search {} (unconstrained), 1 h.
// agent -> sub (key 3): read_file {path: /data/public/*}, 30 min.
struct World {
  SigningKey root = key_of(1);
  SigningKey agent = key_of(2);
  SigningKey sub = key_of(3);
  SigningKey authorizer = key_of(9);
  Warrant w1 = make_root();
  Warrant w2 = make_child();

  Warrant make_root() {
    MintRequest m;
    m.tools = {{"read_file", cset(R"({"path":{"type":"pattern","pattern":"/data/*"}})")}, {"search", ConstraintSet{}}};
    m.holder = agent.public_key();
    m.now = kT0;
    m.ttl = 3600;
    m.id = wid(1);
    auto w = mint(m, root);
    REQUIRE(w);
    return *w;
  }
  Warrant make_child() {
    GrantRequest g;
    g.tools = {{"read_file", cset(R"({"path":{"type":"pattern","pattern":"/data/public/*"}})")}};
    g.holder = sub.public_key();
    g.now = kT0 + 60;
    g.ttl = 1800;
    g.id = wid(2);
    auto w = grant(w1, g, agent);
    REQUIRE(w);
    return *w;
  }
  std::vector<Warrant> chain1() const { return {w1}; }
  std::vector<Warrant> chain2() const { return {w1, w2}; }

  ReplayOptions options() const {
    ReplayOptions o;
    o.roots.keys = {root.public_key()};
    return o;
  }
};

World& world() {
  static World w;
  return w;
}

struct LineSpec {
  std::vector<Warrant> chain;
  const SigningKey* holder = nullptr;  // signs the PoP; nullptr = no PoP
  std::string tool = "read_file";
  std::string args = R"({"path":"/data/a.txt"})";
  std::int64_t time = kT0 + 600;
  AuditDecision decision = AuditDecision::Allow;
  ErrorCode code = ErrorCode::ConstraintViolation;
  std::optional<std::int64_t> pop_time;  // default: time
  bool include_chain = true;
};

std::string tenuo_line(const LineSpec& s) {
  AuditRecord r;
  r.time = s.time;
  r.decision = s.decision;
  r.tool = s.tool;
  r.arguments = args(s.args);
  r.warrant_id = s.chain.back().id_text();
  if (s.include_chain) r.chain = encode_stack(s.chain);
  if (s.holder != nullptr) {
    const Signature sig = pop_sign(*s.holder, s.chain.back().id(), s.tool, *r.arguments, s.pop_time.value_or(s.time));
    r.pop = Bytes(sig.begin(), sig.end());
  }
  if (s.decision == AuditDecision::Deny) r.error = AuditError{s.code, "recorded"};
  return to_json_line(r);
}

std::string sdk_line(std::string_view event_type, std::string_view warrant_id, std::string_view tool,
                     std::string_view constraints, std::int64_t t = kT0 + 600, std::string_view extra = "") {
  return fmt::format(R"({{"@timestamp":"{}","event_type":"{}","warrant_id":"{}","tool":"{}","action":"call","constraints":{}{}}})",
                     rfc3339_utc(t), event_type, warrant_id, tool, constraints, extra) +
         "\n";
}

ReplayResult replay(const Replayer& r, const std::string& line) {
  auto res = r.replay_line(line, 0, 1);
  REQUIRE(res);
  return *res;
}

Replayer make(const ReplayOptions& o) {
  auto r = Replayer::create(o);
  REQUIRE(r);
  return std::move(r).value();
}

std::shared_ptr<const WarrantIndex> index_of(const std::vector<std::vector<Warrant>>& chains) {
  auto idx = std::make_shared<WarrantIndex>();
  for (const auto& c : chains) idx->add_chain(c);
  return idx;
}

struct ScratchDir {
  std::filesystem::path path;
  ScratchDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "tenuo-replay-XXXXXX").string();
    REQUIRE(::mkdtemp(templ.data()) != nullptr);
    path = templ;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string write(const std::string& name, const std::string& text) const {
    const auto p = path / name;
    std::ofstream out(p, std::ios::binary);
    out << text;
    return p.string();
  }
};

ReceiptPayload receipt_payload(const std::vector<Warrant>& chain, std::string tool, std::string outcome,
                               std::int64_t t, std::optional<std::string> code = std::nullopt) {
  ReceiptPayload p;
  p.warrant_chain = encode_stack(chain);
  p.action = std::move(tool);
  p.outcome = std::move(outcome);
  p.timestamp = t;
  p.request_id = "req";
  if (p.outcome == "allow") p.pop_signature = Signature{};
  p.decision_code = std::move(code);
  return p;
}

// A chained stream of receipts signed by world().authorizer; returns the artefacts in order.
std::vector<Bytes> receipt_stream(const std::vector<ReceiptPayload>& payloads) {
  std::vector<Bytes> out;
  std::optional<Sha256Digest> prev;
  for (auto p : payloads) {
    p.prev_receipt_hash = prev;
    out.push_back(sign_receipt(world().authorizer, p));
    auto v = verify_receipt(out.back());
    REQUIRE(v);
    prev = v->hash;
  }
  return out;
}

}  // namespace

TEST_SUITE("tenuo::replay") {

TEST_CASE("timestamps: RFC 3339 with fractions and offsets, Python isoformat") {
  CHECK(detail::parse_timestamp("2024-01-01T00:00:00Z").value() == kT0);
  CHECK(detail::parse_timestamp("2024-01-01T00:00:00.999999+00:00").value() == kT0);
  CHECK(detail::parse_timestamp("2024-01-01T01:00:00+01:00").value() == kT0);
  CHECK(detail::parse_timestamp("2023-12-31T19:00:00-0500").value() == kT0);
  CHECK(detail::parse_timestamp("2024-01-01 00:00:00").value() == kT0);
  CHECK(detail::parse_timestamp("2024-02-29T00:00:00Z").value() == kT0 + 59 * 86400);
  CHECK_FALSE(detail::parse_timestamp("2024-13-01T00:00:00Z"));
  CHECK_FALSE(detail::parse_timestamp("2024-01-01T00:00:00Q"));
  CHECK_FALSE(detail::parse_timestamp("2024-01-01"));
  CHECK_FALSE(detail::parse_timestamp("yesterday"));
}

TEST_CASE("clock window: verify_chain's verdict is constant inside and the window is tight") {
  World& w = world();
  // A chain whose middle link expires early: root 1 h, middle 30 min, leaf 20 min.
  GrantRequest g;
  g.tools = {{"read_file", cset(R"({"path":{"type":"pattern","pattern":"/data/public/x/*"}})")}};
  g.holder = w.root.public_key();
  g.now = kT0 + 120;
  g.ttl = 1200;
  g.id = wid(3);
  auto w3 = grant(w.w2, g, w.sub);
  REQUIRE(w3);
  const std::vector<std::vector<Warrant>> chains = {w.chain1(), w.chain2(), {w.w1, w.w2, *w3}};
  const TrustedRoots roots{{w.root.public_key()}};
  const TrustedRoots wrong{{w.agent.public_key()}};
  for (const auto& chain : chains) {
    const auto win = detail::clock_window(chain);
    REQUIRE(win);
    for (const auto* rs : {&roots, &wrong}) {
      const auto inside = verify_chain(chain, *rs, VerifyOptions{.now = win->lo});
      for (std::int64_t t = win->lo - 100; t <= win->hi + 100; t += 7) {
        const auto v = verify_chain(chain, *rs, VerifyOptions{.now = t});
        if (t >= win->lo && t <= win->hi) {
          REQUIRE(v.has_value() == inside.has_value());
          if (!v) CHECK(v.error().code == inside.error().code);
        } else if (rs == &roots) {
          CHECK_FALSE(v);  // outside the window a clock check fails
        }
      }
      // Both edges are tight.
      if (rs == &roots) {
        CHECK(verify_chain(chain, *rs, VerifyOptions{.now = win->hi}));
        CHECK_FALSE(verify_chain(chain, *rs, VerifyOptions{.now = win->hi + 1}));
        CHECK_FALSE(verify_chain(chain, *rs, VerifyOptions{.now = win->lo - 1}));
      }
    }
  }
}

TEST_CASE("tenuo lines: PoP re-checked at the record's time, every classification") {
  World& w = world();
  const Replayer r = make(w.options());

  SUBCASE("consistent allow, PoP verified, leaf of a two-link chain") {
    LineSpec s{.chain = w.chain2(), .holder = &w.sub, .args = R"({"path":"/data/public/x"})"};
    const auto res = replay(r, tenuo_line(s));
    CHECK(res.kind == RecordKind::Tenuo);
    CHECK(res.outcome == ReplayOutcome::ConsistentAllow);
    CHECK(res.pop == PopReplay::Verified);
    CHECK(res.warrant_id == w.w2.id_text());
    CHECK(res.at == s.time);
  }
  SUBCASE("consistent deny for a constraint violation, with the failing argument") {
    LineSpec s{.chain = w.chain2(), .holder = &w.sub, .args = R"({"path":"/data/secret"})",
               .decision = AuditDecision::Deny};
    const auto res = replay(r, tenuo_line(s));
    CHECK(res.outcome == ReplayOutcome::ConsistentDeny);
    CHECK(res.replay_code == ErrorCode::ConstraintViolation);
    CHECK(res.recorded_code == ErrorCode::ConstraintViolation);
    CHECK(res.denied_arguments == std::vector<std::string>{"path"});
  }
  SUBCASE("recorded allow whose PoP was made for other arguments: drift, PoP failed") {
    LineSpec s{.chain = w.chain1(), .holder = &w.agent};
    std::string line = tenuo_line(s);
    const std::string swapped = tenuo_line(LineSpec{.chain = w.chain1(), .holder = &w.agent, .args = R"({"path":"/data/b.txt"})"});
    // Keep the other line's PoP with this line's arguments.
    const auto pop_of = [](const std::string& l) { return parse_audit_line(l).value().pop.value(); };
    auto rec = parse_audit_line(line).value();
    rec.pop = pop_of(swapped);
    const auto res = replay(r, to_json_line(rec));
    CHECK(res.outcome == ReplayOutcome::DriftAllowToDeny);
    CHECK(res.pop == PopReplay::Failed);
    CHECK(res.replay_code == ErrorCode::SignatureInvalid);
    CHECK_FALSE(res.reason.empty());
  }
  SUBCASE("PoP signed far outside the window: drift") {
    LineSpec s{.chain = w.chain1(), .holder = &w.agent, .pop_time = kT0 + 600 - 300};
    const auto res = replay(r, tenuo_line(s));
    CHECK(res.outcome == ReplayOutcome::DriftAllowToDeny);
    CHECK(res.pop == PopReplay::Failed);
  }
  SUBCASE("--at fixed after expiry: chain fails, PoP still judged at the record's time") {
    ReplayOptions o = w.options();
    o.at = kT0 + 7200;
    const Replayer later = make(o);
    const auto res = replay(later, tenuo_line(LineSpec{.chain = w.chain1(), .holder = &w.agent}));
    CHECK(res.outcome == ReplayOutcome::DriftAllowToDeny);
    CHECK(res.replay_code == ErrorCode::WarrantExpired);
    CHECK(res.pop == PopReplay::NotReached);
    CHECK(res.at == kT0 + 7200);
    ReplayOptions o2 = w.options();
    o2.at = kT0 + 1200;  // still valid, 20 min after the PoP: the proof is judged at its own time
    const auto res2 = replay(make(o2), tenuo_line(LineSpec{.chain = w.chain1(), .holder = &w.agent}));
    CHECK(res2.outcome == ReplayOutcome::ConsistentAllow);
    CHECK(res2.pop == PopReplay::Verified);
  }
  SUBCASE("untrusted root: every record denies") {
    ReplayOptions o = w.options();
    o.roots.keys = {w.agent.public_key()};
    const auto res = replay(make(o), tenuo_line(LineSpec{.chain = w.chain1(), .holder = &w.agent}));
    CHECK(res.outcome == ReplayOutcome::DriftAllowToDeny);
    CHECK(res.replay_code == ErrorCode::UntrustedRoot);
  }
  SUBCASE("no PoP recorded: skipped; a recorded PoP denial then cannot be re-judged") {
    const auto res = replay(r, tenuo_line(LineSpec{.chain = w.chain1()}));
    CHECK(res.outcome == ReplayOutcome::ConsistentAllow);
    CHECK(res.pop == PopReplay::SkippedNotRecorded);
    const auto res2 = replay(r, tenuo_line(LineSpec{.chain = w.chain1(), .decision = AuditDecision::Deny,
                                                    .code = ErrorCode::SignatureInvalid}));
    CHECK(res2.outcome == ReplayOutcome::Undecidable);
    CHECK(res2.undecidable == UndecidableReason::PopUnavailable);
    const auto res3 = replay(r, tenuo_line(LineSpec{.chain = w.chain1(), .decision = AuditDecision::Deny,
                                                    .code = ErrorCode::WarrantRevoked}));
    CHECK(res3.undecidable == UndecidableReason::RevocationUnknown);
    const auto res4 = replay(r, tenuo_line(LineSpec{.chain = w.chain1(), .decision = AuditDecision::Deny,
                                                    .code = ErrorCode::ConstraintViolation}));
    CHECK(res4.outcome == ReplayOutcome::DriftDenyToAllow);
  }
  SUBCASE("redacted and truncated arguments are undecidable") {
    auto res = replay(r, tenuo_line(LineSpec{.chain = w.chain1(), .holder = &w.agent, .args = R"({"path":"[REDACTED]"})"}));
    CHECK(res.outcome == ReplayOutcome::Undecidable);
    CHECK(res.undecidable == UndecidableReason::ArgumentsRedacted);
    res = replay(r, tenuo_line(LineSpec{.chain = w.chain1(), .holder = &w.agent, .args = "{\"path\":\"/data/lo\xE2\x80\xA6\"}"}));
    CHECK(res.undecidable == UndecidableReason::ArgumentsTruncated);
    res = replay(r, tenuo_line(LineSpec{.chain = w.chain1(), .holder = &w.agent, .args = R"({"o":{"k":["x","[truncated]"]}})"}));
    CHECK(res.undecidable == UndecidableReason::ArgumentsTruncated);
  }
  SUBCASE("a line without chain resolves through the index, or is undecidable") {
    LineSpec s{.chain = w.chain2(), .holder = &w.sub, .args = R"({"path":"/data/public/x"})", .include_chain = false};
    auto res = replay(r, tenuo_line(s));
    CHECK(res.outcome == ReplayOutcome::Undecidable);
    CHECK(res.undecidable == UndecidableReason::WarrantNotFound);
    ReplayOptions o = w.options();
    o.warrants = index_of({w.chain2()});
    res = replay(make(o), tenuo_line(s));
    CHECK(res.outcome == ReplayOutcome::ConsistentAllow);
    CHECK(res.pop == PopReplay::Verified);
  }
  SUBCASE("a warrant-only verification line is replayed as one") {
    AuditRecord rec;
    rec.time = kT0 + 100;
    rec.decision = AuditDecision::Allow;
    rec.chain = encode_stack(w.chain2());
    CHECK(replay(r, to_json_line(rec)).outcome == ReplayOutcome::ConsistentAllow);
    rec.time = kT0 + 4000;
    const auto res = replay(r, to_json_line(rec));
    CHECK(res.outcome == ReplayOutcome::DriftAllowToDeny);
    CHECK(res.replay_code == ErrorCode::WarrantExpired);
    CHECK(res.pop == PopReplay::NotApplicable);
  }
  SUBCASE("a torn line (no newline) is malformed") {
    std::string line = tenuo_line(LineSpec{.chain = w.chain1(), .holder = &w.agent});
    line.pop_back();
    const auto res = replay(r, line);
    CHECK(res.outcome == ReplayOutcome::Malformed);
    CHECK(res.kind == RecordKind::Tenuo);
  }
  SUBCASE("a corrupted chain is denied with the decode error") {
    auto rec = parse_audit_line(tenuo_line(LineSpec{.chain = w.chain1(), .holder = &w.agent})).value();
    rec.chain->back() ^= 1;  // flips a bit of the issuer signature
    const auto res = replay(r, to_json_line(rec));
    CHECK(res.outcome == ReplayOutcome::DriftAllowToDeny);
    CHECK(res.replayed == AuditDecision::Deny);
  }
}

TEST_CASE("SDK events: decisions, warrants by id, undecidable records") {
  World& w = world();
  ReplayOptions o = w.options();
  o.warrants = index_of({w.chain1(), w.chain2()});
  const Replayer r = make(o);
  const std::string id1 = w.w1.id_text();
  const std::string id2 = w.w2.id_text();

  CHECK(replay(r, sdk_line("authorization_success", id1, "read_file", R"({"path":"/data/a"})")).outcome ==
        ReplayOutcome::ConsistentAllow);
  auto res = replay(r, sdk_line("authorization_success", id1, "read_file", R"({"path":"/etc/passwd"})"));
  CHECK(res.kind == RecordKind::Sdk);
  CHECK(res.outcome == ReplayOutcome::DriftAllowToDeny);
  CHECK(res.pop == PopReplay::SkippedNotRecorded);
  CHECK(res.denied_arguments == std::vector<std::string>{"path"});
  CHECK(res.reason.find("path") != std::string::npos);
  res = replay(r, sdk_line("authorization_failure", id1, "read_file", R"({"path":"/etc/passwd"})", kT0 + 600,
                           R"(,"error_code":"constraint_violation")"));
  CHECK(res.outcome == ReplayOutcome::ConsistentDeny);
  CHECK(res.recorded_code == ErrorCode::ConstraintViolation);
  res = replay(r, sdk_line("authorization_failure", id1, "read_file", R"({"path":"/data/a"})", kT0 + 600,
                           R"(,"error_code":1501)"));
  CHECK(res.outcome == ReplayOutcome::DriftDenyToAllow);
  // Without a code the denial may have been a PoP failure: not a drift.
  res = replay(r, sdk_line("authorization_failure", id1, "read_file", R"({"path":"/data/a"})"));
  CHECK(res.undecidable == UndecidableReason::PopUnavailable);
  // The child's narrower constraint applies through its id.
  res = replay(r, sdk_line("authorization_success", id2, "read_file", R"({"path":"/data/a"})"));
  CHECK(res.outcome == ReplayOutcome::DriftAllowToDeny);
  // Expired at the event's time.
  res = replay(r, sdk_line("authorization_success", id1, "read_file", R"({"path":"/data/a"})", kT0 + 3600));
  CHECK(res.replay_code == ErrorCode::WarrantExpired);
  // Decision from "action" when event_type says nothing.
  res = replay(r, R"({"@timestamp":"2024-01-01T00:10:00Z","event_type":"tool_call","warrant_id":")" + id1 +
                      R"(","tool":"search","action":"denied","constraints":{"q":"x"},"error_code":"tool_not_allowed"})" "\n");
  CHECK(res.recorded == AuditDecision::Deny);
  CHECK(res.outcome == ReplayOutcome::DriftDenyToAllow);  // search is unconstrained

  SUBCASE("undecidable") {
    res = replay(r, sdk_line("authorization_success", "tnu_wrt_019471f80000700080000000000000ff", "read_file", "{}"));
    CHECK(res.undecidable == UndecidableReason::WarrantNotFound);
    res = replay(r, sdk_line("authorization_success", "not-an-id", "read_file", "{}"));
    CHECK(res.undecidable == UndecidableReason::WarrantNotFound);
    res = replay(r, R"({"@timestamp":"2024-01-01T00:10:00Z","event_type":"authorization_success","tool":"read_file","constraints":{}})" "\n");
    CHECK(res.undecidable == UndecidableReason::NoWarrant);
    res = replay(r, R"({"@timestamp":"2024-01-01T00:10:00Z","event_type":"authorization_success","warrant_id":")" + id1 +
                        R"(","tool":"read_file"})" "\n");
    CHECK(res.undecidable == UndecidableReason::ArgumentsUnavailable);
    res = replay(r, sdk_line("authorization_success", id1, "read_file", R"({"path":"/data/a"})", kT0 + 600,
                             R"(,"arguments_truncated":true)"));
    CHECK(res.undecidable == UndecidableReason::ArgumentsTruncated);
    res = replay(r, sdk_line("authorization_success", id1, "read_file", R"({"path":"***"})"));
    CHECK(res.undecidable == UndecidableReason::ArgumentsRedacted);
    res = replay(r, sdk_line("tool_call", id1, "read_file", R"({"path":"/data/a"})"));
    CHECK(res.undecidable == UndecidableReason::NoDecision);
    res = replay(r, R"({"@timestamp":"2024-01-01T00:10:00Z","event_type":"warrant_issued","warrant_id":")" + id1 + "\"}\n");
    CHECK(res.undecidable == UndecidableReason::NotACall);
    CHECK(res.outcome == ReplayOutcome::Undecidable);
  }
  SUBCASE("malformed") {
    for (std::string bad : {std::string("not json\n"), std::string("{\"@timestamp\": 1,\n"),
                            std::string("{\"hello\":1}\n"), std::string("[1,2]\n"),
                            std::string(R"({"@timestamp":"soon","event_type":"authorization_success"})" "\n"),
                            std::string(R"({"@timestamp":"2024-01-01T00:00:00Z","event_type":"authorization_success","tool":"x","warrant_id":"a","constraints":[1]})" "\n")}) {
      const auto m = replay(r, bad);
      CHECK_MESSAGE(m.outcome == ReplayOutcome::Malformed, bad);
      CHECK_FALSE(m.reason.empty());
    }
    CHECK_FALSE(r.replay_line("   \n", 0, 1).has_value());
  }
  SUBCASE("a \"tenuo_audit\" text inside an SDK event's arguments does not confuse detection") {
    res = replay(r, sdk_line("authorization_success", id1, "read_file", R"({"path":"/data/\"tenuo_audit\""})"));
    CHECK(res.kind == RecordKind::Sdk);
    CHECK(res.outcome == ReplayOutcome::ConsistentAllow);
  }
}

TEST_CASE("forced formats") {
  World& w = world();
  ReplayOptions o = w.options();
  o.warrants = index_of({w.chain1()});
  o.format = ReplayFormat::Tenuo;
  const std::string sdk = sdk_line("authorization_success", w.w1.id_text(), "read_file", R"({"path":"/data/a"})");
  CHECK(replay(make(o), sdk).outcome == ReplayOutcome::Malformed);
  o.format = ReplayFormat::Sdk;
  CHECK(replay(make(o), sdk).outcome == ReplayOutcome::ConsistentAllow);
  CHECK(replay(make(o), tenuo_line(LineSpec{.chain = w.chain1(), .holder = &w.agent})).kind == RecordKind::Sdk);
  o.format = ReplayFormat::Receipts;
  CHECK(replay(make(o), sdk).kind == RecordKind::Receipt);
  CHECK(replay(make(o), sdk).outcome == ReplayOutcome::Malformed);
}

TEST_CASE("receipts: re-decided without arguments, verified, and chained") {
  World& w = world();
  const Replayer r = make(w.options());
  const auto stream = receipt_stream({
      receipt_payload(w.chain1(), "search", "allow", kT0 + 10),                                 // 1 unconstrained
      receipt_payload(w.chain1(), "read_file", "allow", kT0 + 20),                              // 2 constrained
      receipt_payload(w.chain1(), "delete_file", "deny", kT0 + 30, "tool-not-authorized"),      // 3 tool
      receipt_payload(w.chain1(), "search", "allow", kT0 + 4000),                               // 4 expired
      receipt_payload(w.chain2(), "tool:read_file", "deny", kT0 + 40, "constraint-violation"),  // 5
  });
  std::vector<ReplayResult> res;
  for (const auto& b : stream) res.push_back(replay(r, receipt_jsonl_line(b)));
  CHECK(res[0].kind == RecordKind::Receipt);
  CHECK(res[0].outcome == ReplayOutcome::ConsistentAllow);
  CHECK(res[0].pop == PopReplay::SkippedNoArguments);
  CHECK(res[1].outcome == ReplayOutcome::Undecidable);
  CHECK(res[1].undecidable == UndecidableReason::ArgumentsUnavailable);
  CHECK(res[2].outcome == ReplayOutcome::ConsistentDeny);
  CHECK(res[2].recorded_code == ErrorCode::ToolNotAuthorized);
  CHECK(res[3].outcome == ReplayOutcome::DriftAllowToDeny);
  CHECK(res[3].replay_code == ErrorCode::WarrantExpired);
  CHECK(res[4].tool == "read_file");
  CHECK(res[4].undecidable == UndecidableReason::ArgumentsUnavailable);
  // Bare hex lines are receipts too.
  CHECK(replay(r, hex_encode(stream[0]) + "\n").outcome == ReplayOutcome::ConsistentAllow);
  // A forged receipt: one payload byte changed.
  Bytes forged = stream[0];
  forged[40] ^= 0x01;
  const auto f = replay(r, receipt_jsonl_line(forged));
  CHECK(f.outcome == ReplayOutcome::Undecidable);
  CHECK(f.undecidable == UndecidableReason::ReceiptRejected);
  REQUIRE(f.receipt);
  CHECK_FALSE(*f.receipt);
}

TEST_CASE("run: receipt streams with a deleted, a reordered and a forged receipt") {
  World& w = world();
  ScratchDir dir;
  std::vector<ReceiptPayload> ps;
  for (int i = 0; i < 5; ++i) ps.push_back(receipt_payload(w.chain1(), "search", "allow", kT0 + 10 * i));
  const auto stream = receipt_stream(ps);
  auto file_of = [&](const std::vector<Bytes>& rs, const std::string& name) {
    std::string text;
    for (const auto& b : rs) text += receipt_jsonl_line(b);
    return dir.write(name, text);
  };
  const std::string intact = file_of(stream, "intact.jsonl");
  const std::string deleted = file_of({stream[0], stream[1], stream[3], stream[4]}, "deleted.jsonl");
  const std::string reordered = file_of({stream[0], stream[2], stream[1], stream[3], stream[4]}, "reordered.jsonl");
  Bytes bad = stream[2];
  bad[50] ^= 0x04;
  const std::string forged = file_of({stream[0], stream[1], bad, stream[3], stream[4]}, "forged.jsonl");

  Replayer r = make(w.options());
  auto sum = r.run({intact, deleted, reordered, forged});
  REQUIRE(sum);
  REQUIRE(sum->receipt_chains.size() == 4);
  auto kinds = [&](std::size_t i) {
    std::vector<std::pair<ChainIssueKind, std::size_t>> out;
    for (const auto& is : sum->receipt_chains[i].report.issues)
      if (is.severity == IssueSeverity::Error) out.emplace_back(is.kind, is.line);
    return out;
  };
  CHECK(sum->receipt_chains[0].report.ok());
  CHECK(sum->receipt_chains[0].report.receipts == 5);
  CHECK(kinds(1) == std::vector<std::pair<ChainIssueKind, std::size_t>>{{ChainIssueKind::Break, 3}});
  const auto re = kinds(2);
  REQUIRE_FALSE(re.empty());
  for (const auto& [k, line] : re) CHECK(k == ChainIssueKind::Reordered);
  const auto fo = kinds(3);
  REQUIRE_FALSE(fo.empty());
  CHECK(fo.front() == std::pair<ChainIssueKind, std::size_t>{ChainIssueKind::Forged, 3});
  CHECK_FALSE(sum->receipt_chains_ok());
  CHECK(sum->fails(FailOn::Drift));
  CHECK(sum->fails(FailOn::Deny));
  CHECK_FALSE(sum->fails(FailOn::None));
  CHECK(sum->outcomes[static_cast<std::size_t>(ReplayOutcome::ConsistentAllow)] == 18);
  CHECK(sum->undecidable.at(UndecidableReason::ReceiptRejected) == 1);

  // Forced receipts format on an empty file reports an empty stream.
  ReplayOptions o = w.options();
  o.format = ReplayFormat::Receipts;
  Replayer rr = make(o);
  auto e = rr.run({dir.write("empty.jsonl", "")});
  REQUIRE(e);
  REQUIRE(e->receipt_chains.size() == 1);
  CHECK_FALSE(e->receipt_chains[0].report.ok());
}

TEST_CASE("--against: a tightened candidate turns exactly the expected records into drifts") {
  World& w = world();
  // Candidate: the root's holder re-delegates read_file limited to /data/public/*, no search.
  GrantRequest g;
  g.tools = {{"read_file", cset(R"({"path":{"type":"pattern","pattern":"/data/public/*"}})")}};
  g.now = kT0 + 5;
  g.ttl = 3000;
  g.id = wid(9);
  auto cand = grant(w.w1, g, w.agent);
  REQUIRE(cand);
  ReplayOptions o = w.options();
  o.warrants = index_of({w.chain1()});
  o.against = std::vector<Warrant>{w.w1, *cand};
  const Replayer r = make(o);
  const std::string id = w.w1.id_text();
  const std::vector<std::string> lines = {
      sdk_line("authorization_success", id, "read_file", R"({"path":"/data/public/a"})"),  // stays allowed
      sdk_line("authorization_success", id, "read_file", R"({"path":"/data/private/a"})"),  // drift
      sdk_line("authorization_success", id, "search", R"({"q":"x"})"),                     // drift: tool gone
      sdk_line("authorization_failure", id, "read_file", R"({"path":"/etc/x"})", kT0 + 600,
               R"(,"error_code":"constraint-violation")"),                                 // still denied
      tenuo_line(LineSpec{.chain = w.chain1(), .holder = &w.agent, .args = R"({"path":"/data/public/b"})"}),  // stays
      tenuo_line(LineSpec{.chain = w.chain1(), .holder = &w.agent, .args = R"({"path":"/data/b"})"}),  // drift
  };
  std::vector<ReplayOutcome> got;
  for (const auto& l : lines) {
    const auto res = replay(r, l);
    got.push_back(res.outcome);
    CHECK(res.pop == (res.outcome == ReplayOutcome::ConsistentAllow ? PopReplay::SkippedAgainst : res.pop));
    CHECK(res.warrant_id == id);  // the recorded id is kept
  }
  CHECK(got == std::vector<ReplayOutcome>{ReplayOutcome::ConsistentAllow, ReplayOutcome::DriftAllowToDeny,
                                          ReplayOutcome::DriftAllowToDeny, ReplayOutcome::ConsistentDeny,
                                          ReplayOutcome::ConsistentAllow, ReplayOutcome::DriftAllowToDeny});
  // Without the candidate the same records are all consistent.
  ReplayOptions plain = w.options();
  plain.warrants = index_of({w.chain1()});
  const Replayer base = make(plain);
  for (const auto& l : lines) {
    const auto res = replay(base, l);
    CHECK((res.outcome == ReplayOutcome::ConsistentAllow || res.outcome == ReplayOutcome::ConsistentDeny));
  }
}

TEST_CASE("run: streaming order, threads 1 vs 4, malformed lines with line numbers, summary") {
  World& w = world();
  ScratchDir dir;
  std::string a;
  std::string b;
  const std::string id1 = w.w1.id_text();
  for (int i = 0; i < 1500; ++i) {
    const std::int64_t t = kT0 + 100 + i;  // inside both chains' lifetimes
    switch (i % 6) {
      case 0: a += sdk_line("authorization_success", id1, "read_file", fmt::format(R"({{"path":"/data/{}"}})", i), t); break;
      case 1: a += sdk_line("authorization_success", id1, "read_file", fmt::format(R"({{"path":"/etc/{}"}})", i), t); break;
      case 2: a += tenuo_line(LineSpec{.chain = w.chain2(), .holder = &w.sub, .args = fmt::format(R"({{"path":"/data/public/{}"}})", i), .time = t}); break;
      case 3: a += "garbage line\n"; break;
      case 4: a += "\n"; break;
      default: a += sdk_line("authorization_failure", id1, "search", R"({"q":"x"})", t, R"(,"error_code":1501)"); break;
    }
  }
  for (int i = 0; i < 300; ++i) b += sdk_line("authorization_success", "tnu_wrt_019471f80000700080000000000000aa", "x", "{}");
  b += "{\"truncated";  // a torn last line
  const std::string fa = dir.write("a.jsonl", a);
  const std::string fb = dir.write("b.jsonl", b);

  auto run = [&](unsigned threads) {
    ReplayOptions o = w.options();
    o.warrants = index_of({w.chain1()});
    o.threads = threads;
    o.max_listed = 5;
    Replayer r = make(o);
    std::vector<std::string> lines;
    auto sum = r.run({fa, fb}, [&](const ReplayResult& res) {
      lines.push_back(replay_result_json(res, res.input == 0 ? "a.jsonl" : "b.jsonl"));
    });
    REQUIRE(sum);
    return std::make_pair(lines, std::move(*sum));
  };
  const auto [one, s1] = run(1);
  const auto [four, s4] = run(4);
  CHECK(one == four);
  CHECK(s1.outcomes == s4.outcomes);
  CHECK(one.size() == 1500 - 250 + 301);
  CHECK(s1.lines == 1500 + 301);
  CHECK(s1.blank == 250);
  // Delivered in input order.
  std::size_t last_line = 0;
  for (std::size_t i = 0; i < one.size(); ++i) {
    const auto j = nlohmann::json::parse(one[i]);
    const std::size_t line = j["line"];
    if (j["file"] == "a.jsonl") {
      CHECK(line > last_line);
      last_line = line;
    }
  }
  const auto oc = [&](ReplayOutcome o) { return s1.outcomes[static_cast<std::size_t>(o)]; };
  CHECK(oc(ReplayOutcome::Malformed) == 250 + 1);
  REQUIRE(s1.malformed.size() == 5);
  CHECK(s1.malformed[0].line == 4);
  CHECK(s1.malformed[1].line == 10);
  CHECK(s1.malformed_omitted == 246);
  CHECK(oc(ReplayOutcome::ConsistentAllow) == 250 + 250);  // case 0 + case 2
  CHECK(oc(ReplayOutcome::DriftAllowToDeny) == 250);       // case 1
  CHECK(oc(ReplayOutcome::DriftDenyToAllow) == 250);       // case 5
  CHECK(oc(ReplayOutcome::Undecidable) == 300);
  CHECK(s1.undecidable.at(UndecidableReason::WarrantNotFound) == 300);
  CHECK(s1.by_code.at(ErrorCode::ConstraintViolation) == 250);
  REQUIRE_FALSE(s1.top_denied.empty());
  CHECK(s1.top_denied[0].tool == "read_file");
  CHECK(s1.top_denied[0].argument == "path");
  CHECK(s1.top_denied[0].count == 250);
  CHECK(s1.by_tool.at("read_file").outcomes[static_cast<std::size_t>(ReplayOutcome::DriftAllowToDeny)] == 250);
  CHECK(s1.drifts.size() == 5);
  CHECK(s1.drifts_omitted == 495);
  // The chain cache decoded each distinct chain once: chain1 (index) and chain2 (bytes).
  CHECK(s1.chains_decoded == 2);
  CHECK(s1.fails(FailOn::Drift));
  CHECK(s1.fails(FailOn::Any));
  CHECK_FALSE(s1.fails(FailOn::None));
}

TEST_CASE("run: a torn record glued to the next one is refused and the whole record replayed") {
  World& w = world();
  ScratchDir dir;
  const std::string good = tenuo_line(LineSpec{.chain = w.chain2(), .holder = &w.sub,
                                               .args = R"({"path":"/data/public/a"})", .time = kT0 + 100});
  // Arguments holding an object that looks like a record start must not be split.
  const std::string nested = tenuo_line(LineSpec{.chain = w.chain2(), .holder = &w.sub,
                                                 .args = R"({"path":"/data/public/b","z":{"tenuo_audit":1}})",
                                                 .time = kT0 + 100});
  REQUIRE(nested.find("{\"tenuo_audit\":", 1) != std::string::npos);
  const std::string torn = good.substr(0, good.size() - 20);
  const std::string whole_but_newline = good.substr(0, good.size() - 1);  // only the '\n' missing
  const std::string f = dir.write("torn.jsonl", good + torn + good + nested + whole_but_newline + good + torn);
  Replayer r = make(w.options());
  std::vector<std::pair<std::size_t, ReplayOutcome>> got;
  auto sum = r.run({f}, [&](const ReplayResult& res) { got.emplace_back(res.line, res.outcome); });
  REQUIRE(sum);
  const std::vector<std::pair<std::size_t, ReplayOutcome>> want{
      {1, ReplayOutcome::ConsistentAllow}, {2, ReplayOutcome::Malformed}, {2, ReplayOutcome::ConsistentAllow},
      {3, ReplayOutcome::DriftAllowToDeny},  // whole, not split: its unknown argument is denied
      {4, ReplayOutcome::Malformed}, {4, ReplayOutcome::ConsistentAllow},
      {5, ReplayOutcome::Malformed}};
  CHECK(got == want);
  CHECK(sum->outcomes[static_cast<std::size_t>(ReplayOutcome::Malformed)] == 3);
}

TEST_CASE("fail-on policies") {
  ReplaySummary s;
  CHECK_FALSE(s.fails(FailOn::Any));
  s.outcomes[static_cast<std::size_t>(ReplayOutcome::ConsistentDeny)] = 1;
  CHECK(s.fails(FailOn::Deny));
  CHECK_FALSE(s.fails(FailOn::Drift));
  CHECK(s.fails(FailOn::Any));
  s = ReplaySummary{};
  s.outcomes[static_cast<std::size_t>(ReplayOutcome::Undecidable)] = 1;
  CHECK_FALSE(s.fails(FailOn::Deny));
  CHECK_FALSE(s.fails(FailOn::Drift));
  CHECK(s.fails(FailOn::Any));
  s = ReplaySummary{};
  s.outcomes[static_cast<std::size_t>(ReplayOutcome::DriftDenyToAllow)] = 1;
  CHECK(s.fails(FailOn::Drift));
  CHECK_FALSE(s.fails(FailOn::Deny));
  CHECK(parse_fail_on("drift") == FailOn::Drift);
  CHECK_FALSE(parse_fail_on("sometimes"));
  CHECK(parse_replay_format("receipts") == ReplayFormat::Receipts);
  CHECK_FALSE(parse_replay_format("xml"));
}

TEST_CASE("create: refuses a replay without trusted roots or with bad PoP windows") {
  ReplayOptions o;
  CHECK(Replayer::create(o).error().code == ErrorCode::InvalidInput);
  o = world().options();
  o.pop_windows = 11;
  CHECK(Replayer::create(o).error().code == ErrorCode::InvalidInput);
  o = world().options();
  o.against = std::vector<Warrant>{};
  CHECK(Replayer::create(o).error().code == ErrorCode::InvalidInput);
  Replayer r = make(world().options());
  CHECK(r.run({"/nonexistent/file.log"}).error().code == ErrorCode::Io);
  CHECK(r.run({"-", "-"}).error().code == ErrorCode::InvalidInput);
}

TEST_CASE("warrant index: files, one per line, directories, bad entries") {
  World& w = world();
  ScratchDir dir;
  const std::string chain_text = to_text(w.chain2(), TextFormat::Pem);
  const std::string lines = to_text(w.chain1(), TextFormat::Base64) + "\n# comment\n\nnot-a-warrant\n";
  std::filesystem::create_directory(dir.path / "ws");
  dir.write("ws/a.pem", chain_text);
  dir.write("ws/b.txt", lines);
  dir.write("ws/.hidden", "junk");
  WarrantIndex idx;
  auto n = idx.load((dir.path / "ws").string());
  REQUIRE(n);
  CHECK(*n == 2);
  CHECK(idx.size() == 2);  // w2 (full chain) and w1 (its prefix, also given alone)
  REQUIRE(idx.find(w.w2.id()) != nullptr);
  CHECK(idx.find(w.w2.id())->size() == 2);
  REQUIRE(idx.find(w.w1.id()) != nullptr);
  CHECK(idx.find(w.w1.id())->size() == 1);
  REQUIRE(idx.warnings().size() == 1);
  CHECK(idx.warnings()[0].find("b.txt:4") != std::string::npos);
  CHECK(idx.load((dir.path / "missing").string()).error().code == ErrorCode::Io);
}

TEST_CASE("JSON of a result names file and line") {
  World& w = world();
  const Replayer r = make(w.options());
  auto res = replay(r, tenuo_line(LineSpec{.chain = w.chain1(), .holder = &w.agent, .args = R"({"path":"/etc/x"})"}));
  res.line = 42;
  const auto j = nlohmann::json::parse(replay_result_json(res, "logs/a.log"));
  CHECK(j["type"] == "record");
  CHECK(j["file"] == "logs/a.log");
  CHECK(j["line"] == 42);
  CHECK(j["format"] == "tenuo");
  CHECK(j["outcome"] == "drift-allow-to-deny");
  CHECK(j["replay"]["code"] == 1501);
  CHECK(j["pop"] == "verified");
  CHECK(j["denied_arguments"] == nlohmann::json::array({"path"}));
}

// The real binary over receipt and audit fixtures signed here (no CLI verb writes them yet).
TEST_CASE("CLI: audit-replay over signed receipts and tenuo lines") {
  const char* cli = std::getenv("TENUO_CLI");
  if (cli == nullptr) {
    MESSAGE("TENUO_CLI not set; CLI part skipped");
    return;
  }
  World& w = world();
  ScratchDir dir;
  std::vector<ReceiptPayload> ps;
  for (int i = 0; i < 4; ++i) ps.push_back(receipt_payload(w.chain1(), "search", "allow", kT0 + 10 * i));
  const auto stream = receipt_stream(ps);
  std::string good;
  std::string broken;
  for (std::size_t i = 0; i < stream.size(); ++i) {
    good += receipt_jsonl_line(stream[i]);
    if (i != 1) broken += receipt_jsonl_line(stream[i]);
  }
  const std::string fgood = dir.write("good.jsonl", good);
  const std::string fbroken = dir.write("broken.jsonl", broken);
  const std::string flog = dir.write(
      "audit.log", tenuo_line(LineSpec{.chain = w.chain1(), .holder = &w.agent}) +
                       tenuo_line(LineSpec{.chain = w.chain1(), .holder = &w.agent, .args = R"({"path":"/etc/x"})"}));
  const std::string root = w.root.public_key().hex();
  const std::string out = (dir.path / "out.json").string();
  auto run = [&](const std::string& args) {
    const std::string cmd = fmt::format("'{}' audit-replay {} --trusted-root {} > '{}' 2>/dev/null", cli, args, root, out);
    const int st = std::system(cmd.c_str());
    REQUIRE(WIFEXITED(st));
    std::ifstream in(out);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return std::make_pair(WEXITSTATUS(st), text);
  };
  auto [rc, text] = run(fmt::format("'{}' --json", fgood));
  CHECK(rc == 0);
  auto j = nlohmann::json::parse(text);
  CHECK(j["outcomes"]["consistent-allow"] == 4);
  CHECK(j["receipt_chains"][0]["ok"] == true);

  std::tie(rc, text) = run(fmt::format("'{}' --json", fbroken));
  CHECK(rc == 1);  // a broken chain fails under the default --fail-on drift
  j = nlohmann::json::parse(text);
  CHECK(j["receipt_chains"][0]["ok"] == false);
  CHECK(j["receipt_chains"][0]["issues"][0]["kind"] == "break");
  CHECK(j["receipt_chains"][0]["issues"][0]["line"] == 2);

  std::tie(rc, text) = run(fmt::format("'{}' --fail-on none --json", fbroken));
  CHECK(rc == 0);

  // Reordered and forged streams, each reported with its kind and line.
  std::string reordered;
  std::string forged;
  for (std::size_t i : {0, 2, 1, 3}) reordered += receipt_jsonl_line(stream[i]);
  for (std::size_t i = 0; i < stream.size(); ++i) {
    Bytes b = stream[i];
    if (i == 2) b[45] ^= 0x10;
    forged += receipt_jsonl_line(b);
  }
  for (const auto& [file, kind, line] :
       {std::tuple{dir.write("reordered.jsonl", reordered), std::string("reordered"), 2},
        std::tuple{dir.write("forged.jsonl", forged), std::string("forged"), 3}}) {
    std::tie(rc, text) = run(fmt::format("'{}' --json", file));
    CHECK(rc == 1);
    j = nlohmann::json::parse(text);
    CHECK(j["receipt_chains"][0]["ok"] == false);
    bool found = false;
    for (const auto& is : j["receipt_chains"][0]["issues"])
      found = found || (is["kind"] == kind && is["line"] == line);
    CHECK_MESSAGE(found, kind);
  }

  std::tie(rc, text) = run(fmt::format("'{}' --jsonl", flog));
  CHECK(rc == 1);
  std::vector<nlohmann::json> recs;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto nl = text.find('\n', pos);
    recs.push_back(nlohmann::json::parse(text.substr(pos, nl - pos)));
    pos = nl + 1;
  }
  REQUIRE(recs.size() == 3);
  CHECK(recs[0]["outcome"] == "consistent-allow");
  CHECK(recs[0]["pop"] == "verified");
  CHECK(recs[1]["outcome"] == "drift-allow-to-deny");
  CHECK(recs[1]["line"] == 2);
  CHECK(recs[2]["type"] == "summary");

  std::tie(rc, text) = run(fmt::format("'{}' --fail-on deny --at {} --json", fgood, kT0 + 7200));
  CHECK(rc == 1);  // expired by then
  j = nlohmann::json::parse(text);
  CHECK(j["outcomes"]["drift-allow-to-deny"] == 4);
}

}  // TEST_SUITE
