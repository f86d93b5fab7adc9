// Authorization of a call against a verified chain (WIRE.md §10.3): tool lookup (exact name,
// then "*"), closed-world constraint matching (unknown, missing and null-valued arguments, empty
// sets, allow_unknown), clearance requirements, leaf expiry and type. Every warrant is minted
// (or granted) by the builders, encoded, then decoded and verified by verify_chain() from its
// bytes, and every call carries the holder's real proof of possession unless a case says not.
#include "warrant_fixtures.hpp"

#include <tenuo/arguments.hpp>
#include <tenuo/authorize.hpp>
#include <tenuo/builder.hpp>
#include <tenuo/pop.hpp>
#include <tenuo/verify.hpp>
#include <tenuo/warrant.hpp>

#include <doctest/doctest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

using namespace tenuo;
using namespace tenuo::test;

namespace {

const SigningKey& control_plane() {
  static const SigningKey k = key_of(0x31);
  return k;
}
const SigningKey& agent() {
  static const SigningKey k = key_of(0x32);
  return k;
}
const SigningKey& worker() {
  static const SigningKey k = key_of(0x33);
  return k;
}

constexpr std::int64_t kIssued = static_cast<std::int64_t>(kT0);
constexpr std::int64_t kNow = kIssued + 60;
constexpr std::uint64_t kTtl = 3600;

Warrant minted(MintRequest req) {
  if (!req.holder) req.holder = agent().public_key();
  req.now = kIssued;
  if (!req.expires_at && !req.ttl) req.ttl = kTtl;
  req.id = id_of(1);
  auto w = mint(req, control_plane());
  REQUIRE_MESSAGE(w.has_value(), (w ? std::string() : w.error().message));
  return std::move(*w);
}

Warrant minted(ToolMap tools, std::optional<std::uint8_t> clearance = std::nullopt) {
  MintRequest req;
  req.tools = std::move(tools);
  req.clearance = clearance;
  return minted(std::move(req));
}

// Decodes the chain's bytes and verifies them against the control plane at `now`.
Result<VerifiedChain> verified(const std::vector<Warrant>& chain, std::int64_t now = kNow) {
  std::vector<Bytes> envelopes;
  for (const auto& w : chain) envelopes.push_back(envelope_bytes(w));
  return verify_chain(ByteView(stack_of(envelopes)), TrustedRoots{{control_plane().public_key()}},
                      VerifyOptions{.now = now});
}

// A call signed (nulls kept, as sent) by `holder` for the leaf of `chain`.
ToolCall signed_call(const Warrant& leaf, const SigningKey& holder, std::string tool, Object args,
                     std::int64_t now = kNow) {
  ToolCall call{std::move(tool), std::move(args), std::nullopt};
  call.pop = pop_sign(holder, leaf.payload().id, call.tool, call.args, now);
  return call;
}

// The whole pipeline: verify the chain at `now`, then authorize `tool(args)` signed by the
// leaf's holder (the agent for a lone minted warrant).
Result<Authorization> decide(const std::vector<Warrant>& chain, std::string tool, Object args,
                             AuthorizeOptions opts = {}, std::int64_t now = kNow,
                             const SigningKey& holder = agent()) {
  auto vc = verified(chain, now);
  if (!vc) return Unexpected{vc.error()};
  return authorize(*vc, signed_call(chain.back(), holder, std::move(tool), std::move(args), now), opts);
}

Object args_of(std::vector<Member> members) {
  return Value::object(std::move(members)).as_object();
}

void expect_code(const Result<Authorization>& r, ErrorCode code) {
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == code);
}

void expect_code(const Result<void>& r, ErrorCode code) {
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == code);
}

}  // namespace

TEST_SUITE("tenuo::authorize") {

TEST_CASE("tools[\"*\"] covers every tool the warrant does not name") {
  const Warrant w = minted({{"*", set_of("path", c::Pattern{"/data/*"})}});
  auto a = decide({w}, "anything_at_all", args_of({{"path", "/data/x"}}));
  REQUIRE_MESSAGE(a.has_value(), (a ? std::string() : a.error().message));
  CHECK(a->matched_tool == "*");
  REQUIRE(a->pop.has_value());
  // The fallback's constraints still apply.
  expect_code(decide({w}, "anything_at_all", args_of({{"path", "/etc/passwd"}})), ErrorCode::ConstraintViolation);

  // Without "*", an unnamed tool is refused (1500, §10.3 step 5 [U] resolved as in receipts).
  const Warrant named = minted({{"read_file", set_of("path", c::Pattern{"/data/*"})}});
  expect_code(decide({named}, "delete_file", args_of({{"path", "/data/x"}})), ErrorCode::ToolNotAuthorized);
  CHECK(lookup_tool(named.payload(), "delete_file") == nullptr);
}

TEST_CASE("an exact tool entry takes priority over \"*\", even where \"*\" would allow the call") {
  const Warrant w = minted({{"*", set_of("path", c::Pattern{"/*"})},
                            {"read_file", set_of("path", c::Pattern{"/data/*"})}});
  const auto* exact = lookup_tool(w.payload(), "read_file");
  REQUIRE(exact != nullptr);
  CHECK(exact->first == "read_file");
  const auto* star = lookup_tool(w.payload(), "write_file");
  REQUIRE(star != nullptr);
  CHECK(star->first == "*");

  // /etc/passwd satisfies "*" (Pattern "/*") but not read_file's own entry: denied.
  expect_code(decide({w}, "read_file", args_of({{"path", "/etc/passwd"}})), ErrorCode::ConstraintViolation);
  auto ok = decide({w}, "read_file", args_of({{"path", "/data/a.txt"}}));
  REQUIRE(ok.has_value());
  CHECK(ok->matched_tool == "read_file");
  // Another tool falls back to "*" and gets its wider constraint.
  auto other = decide({w}, "write_file", args_of({{"path", "/etc/passwd"}}));
  REQUIRE(other.has_value());
  CHECK(other->matched_tool == "*");
}

TEST_CASE("the leaf's tools decide, not the root's") {
  const Warrant root = minted({{"*", ConstraintSet{}}});
  GrantRequest g;
  g.tools = {{"read_file", set_of("path", c::Subpath{"/data"})}};
  g.holder = worker().public_key();
  g.now = kIssued + 1;
  g.id = id_of(2);
  auto child = grant(root, g, agent());
  REQUIRE_MESSAGE(child.has_value(), (child ? std::string() : child.error().message));
  const std::vector<Warrant> chain{root, *child};

  auto ok = decide(chain, "read_file", args_of({{"path", "/data/r.txt"}}), {}, kNow, worker());
  REQUIRE(ok.has_value());
  CHECK(ok->matched_tool == "read_file");
  expect_code(decide(chain, "delete_file", args_of({{"path", "/data/r.txt"}}), {}, kNow, worker()),
              ErrorCode::ToolNotAuthorized);
  expect_code(decide(chain, "read_file", args_of({{"path", "/etc/r.txt"}}), {}, kNow, worker()),
              ErrorCode::ConstraintViolation);
  // The root's holder signing for the leaf is not the leaf's holder: 1100.
  expect_code(decide(chain, "read_file", args_of({{"path", "/data/r.txt"}}), {}, kNow, agent()),
              ErrorCode::SignatureInvalid);
}

TEST_CASE("an empty ConstraintSet allows arbitrary arguments") {
  const Warrant w = minted({{"ping", ConstraintSet{}}});
  CHECK(decide({w}, "ping", Object{}).has_value());
  CHECK(decide({w}, "ping", args_of({{"host", "example.com"},
                                     {"count", 3},
                                     {"flags", List{Value{"-n"}, Value{true}}},
                                     {"extra", nullptr}}))
            .has_value());
  CHECK(check_constraints(ConstraintSet{}, args_of({{"anything", 1.5}})).has_value());
  // allow_unknown on an empty set changes nothing.
  ConstraintSet open;
  open.allow_unknown = true;
  CHECK(check_constraints(open, args_of({{"anything", 1.5}})).has_value());
}

TEST_CASE("closed world: an unconstrained argument is denied unless allow_unknown is true") {
  ConstraintSet closed = set_of("path", c::Pattern{"/data/*"});
  const Warrant w = minted({{"read_file", closed}});
  const Object extra = args_of({{"path", "/data/a"}, {"mode", "rb"}});
  expect_code(decide({w}, "read_file", extra), ErrorCode::ConstraintViolation);
  expect_code(check_constraints(closed, extra), ErrorCode::ConstraintViolation);
  CHECK(decide({w}, "read_file", args_of({{"path", "/data/a"}})).has_value());

  ConstraintSet open = closed;
  open.allow_unknown = true;
  const Warrant wo = minted({{"read_file", open}});
  auto ok = decide({wo}, "read_file", extra);
  REQUIRE_MESSAGE(ok.has_value(), (ok ? std::string() : ok.error().message));
  CHECK(check_constraints(open, extra).has_value());
  // allow_unknown relaxes only unknown names: the constrained one must still match.
  expect_code(decide({wo}, "read_file", args_of({{"path", "/etc/a"}, {"mode", "rb"}})),
              ErrorCode::ConstraintViolation);
}

TEST_CASE("a constrained argument that is missing is denied (1501), even under Wildcard") {
  ConstraintSet s;
  s.set("path", c::Wildcard{});
  s.set("max_bytes", c::Range{0.0, 1024.0, true, true});
  const Warrant w = minted({{"read_file", s}});
  expect_code(decide({w}, "read_file", args_of({{"path", "/x"}})), ErrorCode::ConstraintViolation);
  expect_code(decide({w}, "read_file", args_of({{"max_bytes", 10}})), ErrorCode::ConstraintViolation);
  expect_code(decide({w}, "read_file", Object{}), ErrorCode::ConstraintViolation);
  CHECK(decide({w}, "read_file", args_of({{"path", "/x"}, {"max_bytes", 10}})).has_value());
  expect_code(decide({w}, "read_file", args_of({{"path", "/x"}, {"max_bytes", 2048}})),
              ErrorCode::ConstraintViolation);
  // With allow_unknown, missing is still missing.
  s.allow_unknown = true;
  expect_code(check_constraints(s, args_of({{"path", "/x"}, {"other", 1}})), ErrorCode::ConstraintViolation);
}

TEST_CASE("null-valued arguments are removed before the constraints are checked (0.3.2)") {
  const Warrant w = minted({{"read_file", set_of("path", c::Wildcard{})}});
  // An unconstrained null is not an unknown argument: it is dropped, and the PoP (which signs
  // the null, §8.1) still verifies.
  const Object with_null = args_of({{"path", "/data/a"}, {"note", nullptr}});
  auto ok = decide({w}, "read_file", with_null);
  REQUIRE_MESSAGE(ok.has_value(), (ok ? std::string() : ok.error().message));
  // check_constraints alone is given the arguments as they are: there the null counts.
  expect_code(check_constraints(w.payload().tools[0].second, with_null), ErrorCode::ConstraintViolation);
  CHECK(check_constraints(w.payload().tools[0].second, without_nulls(with_null)).has_value());
  // A constrained argument that is null is absent: missing (1501), Wildcard notwithstanding.
  expect_code(decide({w}, "read_file", args_of({{"path", nullptr}})), ErrorCode::ConstraintViolation);
  // Nulls nested inside a value are kept (only top-level members are removed).
  const Warrant we = minted({{"f", set_of("opts", c::Exact{Value::object({{"a", nullptr}})})}});
  CHECK(decide({we}, "f", args_of({{"opts", Value::object({{"a", nullptr}})}})).has_value());
}

TEST_CASE("clearance requirements: exact name, else the longest prefix*, else *") {
  const AuthorizeOptions req{.clearance_requirements = {
                                 {"*", 1}, {"re*", 2}, {"read*", 4}, {"read_public", 0}, {"admin_*", 9}}};
  auto at = [&](std::optional<std::uint8_t> level, const std::string& tool) {
    return decide({minted({{"*", ConstraintSet{}}}, level)}, tool, Object{}, req);
  };
  // Exact beats a longer-matching prefix, even when lower.
  CHECK(at(std::nullopt, "read_public").has_value());
  // Longest prefix: read* (4) over re* (2).
  expect_code(at(3, "read_file"), ErrorCode::ToolNotAuthorized);
  CHECK(at(4, "read_file").has_value());
  // Only re* matches.
  expect_code(at(1, "remove"), ErrorCode::ToolNotAuthorized);
  CHECK(at(2, "remove").has_value());
  // No prefix: "*" applies; absent clearance is 0.
  expect_code(at(std::nullopt, "zap"), ErrorCode::ToolNotAuthorized);
  CHECK(at(1, "zap").has_value());
  expect_code(at(8, "admin_reset"), ErrorCode::ToolNotAuthorized);
  CHECK(at(9, "admin_reset").has_value());
  // A prefix is a plain string prefix: "read" itself matches "read*".
  expect_code(at(3, "read"), ErrorCode::ToolNotAuthorized);
  // Without requirements, clearance is not consulted.
  CHECK(decide({minted({{"*", ConstraintSet{}}})}, "admin_reset", Object{}).has_value());
  // Without a "*" requirement, an unmatched tool needs nothing.
  const AuthorizeOptions only_prefix{.clearance_requirements = {{"read*", 4}}};
  CHECK(decide({minted({{"*", ConstraintSet{}}})}, "zap", Object{}, only_prefix).has_value());
}

TEST_CASE("the leaf is expired at now == expires_at, without tolerance (1300)") {
  const Warrant w = minted({{"read_file", ConstraintSet{}}});
  const auto expires = static_cast<std::int64_t>(w.payload().expires_at);
  REQUIRE(expires == kIssued + static_cast<std::int64_t>(kTtl));
  CHECK(decide({w}, "read_file", Object{}, {}, expires - 1).has_value());
  expect_code(decide({w}, "read_file", Object{}, {}, expires), ErrorCode::WarrantExpired);
  expect_code(decide({w}, "read_file", Object{}, {}, expires + 1), ErrorCode::WarrantExpired);
}

TEST_CASE("an issuer warrant cannot authorize a call (1201)") {
  MintRequest req;
  req.type = WarrantType::Issuer;
  req.issuable_tools = std::vector<std::string>{"read_file"};
  req.max_issue_depth = 2;
  const Warrant w = minted(req);
  REQUIRE(w.payload().type == WarrantType::Issuer);
  expect_code(decide({w}, "read_file", Object{}), ErrorCode::InvalidPayloadStructure);
  // Also with the PoP skipped: the type is decided before the tool and the PoP.
  auto vc = verified({w});
  REQUIRE(vc.has_value());
  expect_code(authorize(*vc, ToolCall{"read_file", Object{}, std::nullopt}, AuthorizeOptions{.pop = PopPolicy::Skip}),
              ErrorCode::InvalidPayloadStructure);
}

TEST_CASE("the proof of possession is required unless skipped") {
  const Warrant w = minted({{"read_file", ConstraintSet{}}});
  auto vc = verified({w});
  REQUIRE(vc.has_value());
  expect_code(authorize(*vc, ToolCall{"read_file", Object{}, std::nullopt}), ErrorCode::SignatureInvalid);
  auto skipped = authorize(*vc, ToolCall{"read_file", Object{}, std::nullopt}, AuthorizeOptions{.pop = PopPolicy::Skip});
  REQUIRE(skipped.has_value());
  CHECK_FALSE(skipped->pop.has_value());
  // A PoP over other arguments does not verify.
  ToolCall call = signed_call(w, agent(), "read_file", args_of({{"a", 1}}));
  call.args = args_of({{"a", 2}});
  expect_code(authorize(*vc, call), ErrorCode::SignatureInvalid);
}

}  // TEST_SUITE
