// Chain verification (WIRE.md §10.2): every link invariant (I1-I5), the 0.3.1 rules, trust,
// time, revocation and limits, each violated on purpose by hand-built, correctly signed payloads,
// and rejected with the §17.2 code at the right chain index — through verify_chain() on decoded
// warrants and on the WarrantStack bytes alike.
#include "warrant_fixtures.hpp"

#include <tenuo/limits.hpp>
#include <tenuo/verify.hpp>
#include <tenuo/warrant.hpp>

#include <doctest/doctest.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <functional>
#include <optional>
#include <string>
#include <vector>

using namespace tenuo;
using namespace tenuo::test;

namespace {

// root (11) -> A (12) -> B (13) -> C (14): w0 issued by root held by A, w1 by A held by B, ...
struct Fixture {
  SigningKey root = key_of(0x11);
  SigningKey a = key_of(0x12);
  SigningKey b = key_of(0x13);
  SigningKey c = key_of(0x14);
  SigningKey stranger = key_of(0x15);
  TrustedRoots roots{{root.public_key()}};
  std::int64_t now = static_cast<std::int64_t>(kT0) + 60;

  Payload root_payload() const {
    Payload p(a.public_key(), root.public_key());
    p.id = id_of(1);
    ConstraintSet rf;
    rf.set("path", c::Pattern{"/data/*"});
    ConstraintSet sm;
    sm.set("to", c::OneOf{{Value{"a@x.com"}, Value{"b@x.com"}}});
    sm.set("priority", c::Exact{Value{"low"}});
    p.tools = {{"read_file", rf}, {"send_mail", sm}};
    p.issued_at = kT0;
    p.expires_at = kT0 + 3600;
    p.max_depth = 5;
    return p;
  }
  Warrant w0() const { return signed_warrant(root_payload(), root); }
  Payload p1(const Warrant& parent) const { return child_payload(parent, b.public_key(), 2); }
  Warrant w1(const Warrant& parent) const { return signed_warrant(p1(parent), a); }
  Payload p2(const Warrant& parent) const { return child_payload(parent, c.public_key(), 3); }

  VerifyOptions opts() const { return VerifyOptions{.now = now}; }
};

// Expects verify_chain to reject `chain` with `code` at `index`, both for the decoded warrants
// and for the same chain as WarrantStack bytes (decoded at opts.now).
void expect_rejected(const std::vector<Warrant>& chain, const TrustedRoots& roots, const VerifyOptions& opts,
                     ErrorCode code, std::optional<std::size_t> index) {
  auto r = verify_chain(chain, roots, opts);
  REQUIRE_FALSE(r.has_value());
  CHECK_MESSAGE(r.error().code == code, r.error().message);
  CHECK(r.error().chain_index == index);
  const Bytes bytes = chain.size() == 1 ? envelope_bytes(chain[0]) : encode_stack(chain);
  auto rb = verify_chain(ByteView(bytes), roots, opts);
  REQUIRE_FALSE(rb.has_value());
  CHECK_MESSAGE(rb.error().code == code, rb.error().message);
  CHECK(rb.error().chain_index == index);
}

void expect_valid(const std::vector<Warrant>& chain, const TrustedRoots& roots, const VerifyOptions& opts) {
  auto r = verify_chain(chain, roots, opts);
  REQUIRE_MESSAGE(r.has_value(), (r ? std::string() : r.error().message));
  CHECK(r->links().size() == chain.size());
  const Bytes bytes = chain.size() == 1 ? envelope_bytes(chain[0]) : encode_stack(chain);
  auto rb = verify_chain(ByteView(bytes), roots, opts);
  REQUIRE_MESSAGE(rb.has_value(), (rb ? std::string() : rb.error().message));
}

// Issuer warrant for the type-transition tests: root -> issuer warrant held by A.
Payload issuer_payload(const Fixture& f) {
  Payload p(f.a.public_key(), f.root.public_key());
  p.id = id_of(50);
  p.type = WarrantType::Issuer;
  p.issuable_tools = std::vector<std::string>{"read_file", "send_mail"};
  p.issued_at = kT0;
  p.expires_at = kT0 + 3600;
  p.max_depth = 5;
  return p;
}

}  // namespace

TEST_SUITE("tenuo::verify") {

TEST_CASE("a well-formed chain verifies; VerifiedChain exposes its links") {
  Fixture f;
  const Warrant w0 = f.w0();
  const Warrant w1 = f.w1(w0);
  const Warrant w2 = signed_warrant(f.p2(w1), f.b);
  expect_valid({w0}, f.roots, f.opts());
  expect_valid({w0, w1}, f.roots, f.opts());
  auto r = verify_chain({w0, w1, w2}, f.roots, f.opts());
  REQUIRE(r.has_value());
  CHECK(r->root().id() == w0.id());
  CHECK(r->leaf().id() == w2.id());
  CHECK(r->verified_at() == f.now);
  // Several trusted roots: any one may be the chain's root.
  expect_valid({w0, w1, w2}, TrustedRoots{{f.stranger.public_key(), f.root.public_key()}}, f.opts());
  // A.1 against its control-plane key at 00:10 (the CLI test does the same through `tenuo verify`).
  const Warrant a1 = decoded(unhex(vector_text("a1/envelope.hex")));
  expect_valid({a1}, TrustedRoots{{key_of(1).public_key()}}, VerifyOptions{.now = static_cast<std::int64_t>(kT0) + 600});
}

TEST_CASE("I1: a child not signed by its parent's holder is 1405 at its index") {
  Fixture f;
  const Warrant w0 = f.w0();
  const Warrant w1 = f.w1(w0);
  // Issued (and correctly signed) by C, who does not hold w1.
  Payload p = f.p2(w1);
  p.issuer = f.c.public_key();
  expect_rejected({w0, w1, signed_warrant(p, f.c)}, f.roots, f.opts(), ErrorCode::ChainBroken, 2);
  // The root key itself signing a grandchild is no exception.
  p.issuer = f.root.public_key();
  expect_rejected({w0, w1, signed_warrant(p, f.root)}, f.roots, f.opts(), ErrorCode::ChainBroken, 2);
  // Claiming the right issuer without its key does not even decode.
  p.issuer = f.b.public_key();
  CHECK_FALSE(decode_warrant(sign_unchecked(p, f.c)).has_value());
}

TEST_CASE("I2: depth must be parent + 1, within both max_depths, max_depth never raised") {
  Fixture f;
  const Warrant w0 = f.w0();
  SUBCASE("depth skips a level") {
    Payload p = f.p1(w0);
    p.depth = 2;
    expect_rejected({w0, signed_warrant(p, f.a)}, f.roots, f.opts(), ErrorCode::ChainBroken, 1);
  }
  SUBCASE("depth repeats the parent's") {
    Payload p = f.p1(w0);
    p.depth = 0;
    expect_rejected({w0, signed_warrant(p, f.a)}, f.roots, f.opts(), ErrorCode::ChainBroken, 1);
  }
  SUBCASE("child max_depth above the parent's") {
    Payload p = f.p1(w0);
    p.max_depth = 6;
    expect_rejected({w0, signed_warrant(p, f.a)}, f.roots, f.opts(), ErrorCode::ChainBroken, 1);
  }
  SUBCASE("child depth above the parent's max_depth (terminal parent)") {
    Payload rp = f.root_payload();
    rp.max_depth = 0;
    const Warrant terminal = signed_warrant(rp, f.root);
    Payload p = f.p1(terminal);
    p.max_depth = 0;
    expect_rejected({terminal, signed_warrant(p, f.a)}, f.roots, f.opts(), ErrorCode::ChainBroken, 1);
  }
  SUBCASE("child depth above its own max_depth") {
    Payload p = f.p1(w0);
    p.max_depth = 0;
    expect_rejected({w0, signed_warrant(p, f.a)}, f.roots, f.opts(), ErrorCode::ChainBroken, 1);
  }
  SUBCASE("lowering max_depth is fine; depth == max_depth is fine") {
    Payload p = f.p1(w0);
    p.max_depth = 1;
    expect_valid({w0, signed_warrant(p, f.a)}, f.roots, f.opts());
  }
}

TEST_CASE("I3: a child may not outlive its parent nor be issued before it") {
  Fixture f;
  const Warrant w0 = f.w0();
  {
    Payload p = f.p1(w0);
    p.expires_at = w0.payload().expires_at + 1;
    expect_rejected({w0, signed_warrant(p, f.a)}, f.roots, f.opts(), ErrorCode::ChainBroken, 1);
  }
  {
    Payload p = f.p1(w0);
    p.issued_at = w0.payload().issued_at - 1;  // 0.3.1: no tolerance
    expect_rejected({w0, signed_warrant(p, f.a)}, f.roots, f.opts(), ErrorCode::ChainBroken, 1);
  }
  {
    Payload p = f.p1(w0);
    p.issued_at = w0.payload().issued_at;  // same second: fine
    p.expires_at = w0.payload().expires_at;
    expect_valid({w0, signed_warrant(p, f.a)}, f.roots, f.opts());
  }
}

TEST_CASE("I4: capabilities only narrow (1502/1503 from the attenuation rules)") {
  Fixture f;
  const Warrant w0 = f.w0();
  auto child_with = [&](auto&& edit) {
    Payload p = f.p1(w0);
    edit(p);
    return signed_warrant(p, f.a);
  };
  struct Case {
    std::string name;
    std::function<void(Payload&)> edit;
    ErrorCode code;
  };
  const std::vector<Case> cases = {
      {"tool added", [](Payload& p) { p.tools.emplace_back("write_file", ConstraintSet{}); }, ErrorCode::CapabilityExpansion},
      {"pattern widened", [](Payload& p) { p.tools[0].second.set("path", c::Pattern{"/*"}); }, ErrorCode::CapabilityExpansion},
      {"constraint to wildcard", [](Payload& p) { p.tools[0].second.set("path", c::Wildcard{}); }, ErrorCode::CapabilityExpansion},
      {"one_of value added",
       [](Payload& p) { p.tools[1].second.set("to", c::OneOf{{Value{"a@x.com"}, Value{"z@x.com"}}}); },
       ErrorCode::CapabilityExpansion},
      {"exact changed", [](Payload& p) { p.tools[1].second.set("priority", c::Exact{Value{"high"}}); }, ErrorCode::InvalidAttenuation},
      {"constraint dropped", [](Payload& p) { p.tools[1].second.constraints.pop_back(); }, ErrorCode::InvalidAttenuation},
      {"argument added", [](Payload& p) { p.tools[0].second.set("mode", c::Exact{Value{"r"}}); }, ErrorCode::InvalidAttenuation},
      {"allow_unknown switched on", [](Payload& p) { p.tools[0].second.allow_unknown = true; }, ErrorCode::InvalidAttenuation},
      {"pattern to regex", [](Payload& p) { p.tools[0].second.set("path", c::Regex{"^/data/.*$"}); }, ErrorCode::InvalidAttenuation},
      {"all tools replaced by '*'", [](Payload& p) { p.tools = {{"*", ConstraintSet{}}}; }, ErrorCode::CapabilityExpansion},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    expect_rejected({w0, child_with(c.edit)}, f.roots, f.opts(), c.code, 1);
  }
  // Narrowing, dropping tools and keeping everything are fine.
  expect_valid({w0, child_with([](Payload& p) { p.tools[0].second.set("path", c::Pattern{"/data/reports/*"}); })},
               f.roots, f.opts());
  expect_valid({w0, child_with([](Payload& p) { p.tools.pop_back(); })}, f.roots, f.opts());
  expect_valid({w0, child_with([](Payload& p) { p.tools[0].second.set("path", c::Exact{Value{"/data/a.txt"}}); })},
               f.roots, f.opts());
  // A parent with no tools grants nothing: a child may not add tools under it (stricter than the
  // reference, which skips the check when either map is empty).
  Payload empty = f.root_payload();
  empty.tools.clear();
  const Warrant e0 = signed_warrant(empty, f.root);
  Payload p = child_payload(e0, f.b.public_key(), 2);
  p.tools = {{"read_file", ConstraintSet{}}};
  expect_rejected({e0, signed_warrant(p, f.a)}, f.roots, f.opts(), ErrorCode::CapabilityExpansion, 1);
  // A parent '*' tool covers any child tool, constraints attenuating the '*' set.
  Payload star = f.root_payload();
  star.tools = {{"*", set_of("path", c::Pattern{"/data/*"})}};
  const Warrant s0 = signed_warrant(star, f.root);
  Payload sp = child_payload(s0, f.b.public_key(), 2);
  sp.tools = {{"anything", set_of("path", c::Pattern{"/data/x/*"})}};
  expect_valid({s0, signed_warrant(sp, f.a)}, f.roots, f.opts());
  sp.tools = {{"anything", set_of("path", c::Pattern{"/*"})}};
  expect_rejected({s0, signed_warrant(sp, f.a)}, f.roots, f.opts(), ErrorCode::CapabilityExpansion, 1);
}

TEST_CASE("I4: clearance may stay or fall, never rise or appear") {
  Fixture f;
  Payload rp = f.root_payload();
  rp.clearance = 30;
  const Warrant w0 = signed_warrant(rp, f.root);
  Payload p = f.p1(w0);
  p.clearance = 30;
  expect_valid({w0, signed_warrant(p, f.a)}, f.roots, f.opts());
  p.clearance = 10;
  expect_valid({w0, signed_warrant(p, f.a)}, f.roots, f.opts());
  p.clearance = 31;
  expect_rejected({w0, signed_warrant(p, f.a)}, f.roots, f.opts(), ErrorCode::CapabilityExpansion, 1);
  const Warrant plain = f.w0();
  Payload q = f.p1(plain);
  q.clearance = 0;  // introduced where the parent has none (the reference allows it; we do not)
  expect_rejected({plain, signed_warrant(q, f.a)}, f.roots, f.opts(), ErrorCode::CapabilityExpansion, 1);
}

TEST_CASE("I5: the parent hash must be present and equal SHA-256 of the parent's payload bytes") {
  Fixture f;
  const Warrant w0 = f.w0();
  const Warrant w1 = f.w1(w0);
  Payload p = f.p2(w1);
  auto flipped = *p.parent_hash;
  flipped[31] ^= 0x01;
  p.parent_hash = flipped;
  expect_rejected({w0, w1, signed_warrant(p, f.b)}, f.roots, f.opts(), ErrorCode::ChainBroken, 2);
  p.parent_hash.reset();
  expect_rejected({w0, w1, signed_warrant(p, f.b)}, f.roots, f.opts(), ErrorCode::ChainBroken, 2);
  // The hash of the parent's envelope (not its payload) is wrong too.
  p.parent_hash = detail::sha256(w1.envelope_bytes());
  expect_rejected({w0, w1, signed_warrant(p, f.b)}, f.roots, f.opts(), ErrorCode::ChainBroken, 2);
  // The grandparent's hash: wrong.
  p.parent_hash = w0.payload_hash();
  expect_rejected({w0, w1, signed_warrant(p, f.b)}, f.roots, f.opts(), ErrorCode::ChainBroken, 2);
  // Links out of order.
  const Warrant w2 = signed_warrant(f.p2(w1), f.b);
  expect_rejected({w0, w2, w1}, f.roots, f.opts(), ErrorCode::ChainBroken, 1);
}

TEST_CASE("type transitions: execution -> issuer 1502; issuer -> execution rules and self-issuance 1400") {
  Fixture f;
  SUBCASE("execution -> issuer") {
    const Warrant w0 = f.w0();
    Payload p = f.p1(w0);
    p.type = WarrantType::Issuer;
    p.tools.clear();
    p.issuable_tools = std::vector<std::string>{"read_file"};
    expect_rejected({w0, signed_warrant(p, f.a)}, f.roots, f.opts(), ErrorCode::InvalidAttenuation, 1);
  }
  SUBCASE("issuer -> execution") {
    const Warrant i0 = signed_warrant(issuer_payload(f), f.root);
    Payload p = child_payload(i0, f.b.public_key(), 2);
    p.type = WarrantType::Execution;
    p.tools = {{"read_file", set_of("path", c::Pattern{"/tmp/*"})}};
    expect_valid({i0, signed_warrant(p, f.a)}, f.roots, f.opts());
    // Self-issuance: to the issuer warrant's own holder, or to its issuer.
    Payload self = p;
    self.holder = f.a.public_key();
    expect_rejected({i0, signed_warrant(self, f.a)}, f.roots, f.opts(), ErrorCode::InvalidIssuer, 1);
    self.holder = f.root.public_key();
    expect_rejected({i0, signed_warrant(self, f.a)}, f.roots, f.opts(), ErrorCode::InvalidIssuer, 1);
    // A tool the issuer warrant may not issue.
    Payload other = p;
    other.tools = {{"delete_file", ConstraintSet{}}};
    expect_rejected({i0, signed_warrant(other, f.a)}, f.roots, f.opts(), ErrorCode::InvalidAttenuation, 1);
    // Clearance above the issuer warrant's.
    Payload ip = issuer_payload(f);
    ip.clearance = 20;
    const Warrant i1 = signed_warrant(ip, f.root);
    Payload cl = child_payload(i1, f.b.public_key(), 2);
    cl.tools = p.tools;
    cl.clearance = 40;
    expect_rejected({i1, signed_warrant(cl, f.a)}, f.roots, f.opts(), ErrorCode::CapabilityExpansion, 1);
  }
  SUBCASE("issuer -> execution under constraint_bounds") {
    Payload ip = issuer_payload(f);
    ip.constraint_bounds = set_of("path", c::Pattern{"/data/*"});
    const Warrant i0 = signed_warrant(ip, f.root);
    Payload p = child_payload(i0, f.b.public_key(), 2);
    p.tools = {{"read_file", set_of("path", c::Pattern{"/data/x/*"})}};
    expect_valid({i0, signed_warrant(p, f.a)}, f.roots, f.opts());
    p.tools = {{"read_file", set_of("path", c::Pattern{"/*"})}};
    expect_rejected({i0, signed_warrant(p, f.a)}, f.roots, f.opts(), ErrorCode::CapabilityExpansion, 1);
    p.tools = {{"read_file", ConstraintSet{}}};  // must constrain exactly the bound fields
    expect_rejected({i0, signed_warrant(p, f.a)}, f.roots, f.opts(), ErrorCode::InvalidAttenuation, 1);
  }
  SUBCASE("issuer -> issuer") {
    Payload ip = issuer_payload(f);
    ip.constraint_bounds = set_of("path", c::Pattern{"/data/*"});
    const Warrant i0 = signed_warrant(ip, f.root);
    Payload p = child_payload(i0, f.b.public_key(), 2);
    p.type = WarrantType::Issuer;
    p.tools.clear();
    p.issuable_tools = std::vector<std::string>{"read_file"};
    p.constraint_bounds = set_of("path", c::Pattern{"/data/a/*"});
    expect_valid({i0, signed_warrant(p, f.a)}, f.roots, f.opts());
    Payload more = p;
    more.issuable_tools = std::vector<std::string>{"delete_file"};
    expect_rejected({i0, signed_warrant(more, f.a)}, f.roots, f.opts(), ErrorCode::CapabilityExpansion, 1);
    Payload wider = p;
    wider.constraint_bounds = set_of("path", c::Pattern{"/*"});
    expect_rejected({i0, signed_warrant(wider, f.a)}, f.roots, f.opts(), ErrorCode::CapabilityExpansion, 1);
    Payload dropped = p;
    dropped.constraint_bounds.reset();  // stricter than the reference: bounds cannot be dropped
    expect_rejected({i0, signed_warrant(dropped, f.a)}, f.roots, f.opts(), ErrorCode::CapabilityExpansion, 1);
  }
}

TEST_CASE("approval gates may not be dropped or changed by a child (1405)") {
  Fixture f;
  Payload rp = f.root_payload();
  rp.extensions = {{"tenuo.approval_gates", {0xa1, 0x69, 'r', 'e', 'a', 'd', '_', 'f', 'i', 'l', 'e', 0xa1, 0x64, 'a', 'r', 'g', 's', 0xf6}}};
  const Warrant w0 = signed_warrant(rp, f.root);
  Payload p = f.p1(w0);
  p.extensions = rp.extensions;
  expect_valid({w0, signed_warrant(p, f.a)}, f.roots, f.opts());
  p.extensions.clear();
  expect_rejected({w0, signed_warrant(p, f.a)}, f.roots, f.opts(), ErrorCode::ChainBroken, 1);
  p.extensions = {{"tenuo.approval_gates", {0xa0}}};
  expect_rejected({w0, signed_warrant(p, f.a)}, f.roots, f.opts(), ErrorCode::ChainBroken, 1);
}

TEST_CASE("under a gated parent a child keeps its approvers and threshold (1405): no self-approval") {
  Fixture f;
  const SigningKey x = key_of(0x21);
  const SigningKey y = key_of(0x22);
  const std::vector<PublicKey> xy{x.public_key(), y.public_key()};
  Payload rp = f.root_payload();
  rp.extensions = {{"tenuo.approval_gates", {0xa1, 0x69, 'r', 'e', 'a', 'd', '_', 'f', 'i', 'l', 'e', 0xa1, 0x64, 'a', 'r', 'g', 's', 0xf6}}};
  rp.required_approvers = xy;
  rp.min_approvals = 2;
  const Warrant w0 = signed_warrant(rp, f.root);
  Payload p = f.p1(w0);
  p.extensions = rp.extensions;
  p.required_approvers = std::vector<PublicKey>{y.public_key(), x.public_key()};  // order is free
  p.min_approvals = 2;
  expect_valid({w0, signed_warrant(p, f.a)}, f.roots, f.opts());
  p.min_approvals.reset();  // threshold = every approver = 2
  expect_valid({w0, signed_warrant(p, f.a)}, f.roots, f.opts());
  // The delegate (holder A) names itself in place of an approver: refused.
  p.required_approvers = std::vector<PublicKey>{x.public_key(), f.a.public_key()};
  expect_rejected({w0, signed_warrant(p, f.a)}, f.roots, f.opts(), ErrorCode::ChainBroken, 1);
  // ... or next to them at the same threshold: refused too (one outside approval would do).
  p.required_approvers = std::vector<PublicKey>{x.public_key(), y.public_key(), f.a.public_key()};
  p.min_approvals = 2;
  expect_rejected({w0, signed_warrant(p, f.a)}, f.roots, f.opts(), ErrorCode::ChainBroken, 1);
  // A lower threshold, or no approvers at all.
  p.required_approvers = xy;
  p.min_approvals = 1;
  expect_rejected({w0, signed_warrant(p, f.a)}, f.roots, f.opts(), ErrorCode::ChainBroken, 1);
  p.required_approvers.reset();
  p.min_approvals.reset();
  expect_rejected({w0, signed_warrant(p, f.a)}, f.roots, f.opts(), ErrorCode::ChainBroken, 1);
  // A gated parent without approvers can never be approved; a child may not make it approvable.
  Payload gp = f.root_payload();
  gp.extensions = rp.extensions;
  const Warrant g0 = signed_warrant(gp, f.root);
  Payload q = f.p1(g0);
  q.extensions = gp.extensions;
  expect_valid({g0, signed_warrant(q, f.a)}, f.roots, f.opts());
  q.required_approvers = std::vector<PublicKey>{f.a.public_key()};
  q.min_approvals = 1;
  expect_rejected({g0, signed_warrant(q, f.a)}, f.roots, f.opts(), ErrorCode::ChainBroken, 1);
}

TEST_CASE("0.3.1 rules: a chain starts at depth 0 without a parent hash; a lone intermediate is fine") {
  Fixture f;
  const Warrant w0 = f.w0();
  // A depth-1 warrant with a parent hash, issued by the trusted root, alone: acceptable.
  Payload mid = f.p1(w0);
  mid.issuer = f.root.public_key();
  const Warrant lone = signed_warrant(mid, f.root);
  expect_valid({lone}, f.roots, f.opts());
  // ... but it cannot start a longer chain.
  Payload below = child_payload(lone, f.c.public_key(), 3);
  expect_rejected({lone, signed_warrant(below, f.b)}, f.roots, f.opts(), ErrorCode::ChainBroken, 0);
  // Depth 0 but carrying a parent hash: refused as a chain root too.
  Payload rp = f.root_payload();
  rp.parent_hash = w0.payload_hash();
  const Warrant hashed = signed_warrant(rp, f.root);
  expect_rejected({hashed, signed_warrant(f.p1(hashed), f.a)}, f.roots, f.opts(), ErrorCode::ChainBroken, 0);
  // Depth 1 without a parent hash, as a root of two.
  Payload d1 = f.root_payload();
  d1.depth = 1;
  const Warrant deep = signed_warrant(d1, f.root);
  expect_rejected({deep, signed_warrant(f.p1(deep), f.a)}, f.roots, f.opts(), ErrorCode::ChainBroken, 0);
}

TEST_CASE("trust: the root's issuer must be a trusted root (1406 at index 0)") {
  Fixture f;
  const Warrant w0 = f.w0();
  const Warrant w1 = f.w1(w0);
  expect_rejected({w0, w1}, TrustedRoots{{f.stranger.public_key()}}, f.opts(), ErrorCode::UntrustedRoot, 0);
  expect_rejected({w0}, TrustedRoots{}, f.opts(), ErrorCode::UntrustedRoot, 0);
  // Trusting an intermediate's issuer does not make a suffix of the chain acceptable.
  expect_rejected({w1}, f.roots, f.opts(), ErrorCode::UntrustedRoot, 0);
  // The same root payload self-signed by a stranger.
  Payload p = f.root_payload();
  p.issuer = f.stranger.public_key();
  expect_rejected({signed_warrant(p, f.stranger)}, f.roots, f.opts(), ErrorCode::UntrustedRoot, 0);
}

TEST_CASE("trust: an untrusted root is refused before any signature is checked (bytes path)") {
  Fixture f;
  const Warrant w0 = f.w0();
  const Warrant w1 = f.w1(w0);
  const TrustedRoots strangers{{f.stranger.public_key()}};
  // A forged signature on the second link: §10.2 puts trust (step 5) before signatures (step 8).
  Bytes stack = encode_stack(std::vector<Warrant>{w0, w1});
  stack[stack.size() - 1] ^= 0x01;
  auto r = verify_chain(ByteView(stack), strangers, f.opts());
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == ErrorCode::UntrustedRoot);
  CHECK(r.error().chain_index == std::optional<std::size_t>(0));
  // With trusted roots the same forged link is a signature failure at index 1.
  auto t = verify_chain(ByteView(stack), f.roots, f.opts());
  REQUIRE_FALSE(t.has_value());
  CHECK(t.error().code == ErrorCode::SignatureInvalid);
  CHECK(t.error().chain_index == std::optional<std::size_t>(1));
  // A forged root signature under an untrusted root: refused as untrusted, never accepted.
  Bytes lone(w0.envelope_bytes().begin(), w0.envelope_bytes().end());
  lone[lone.size() - 1] ^= 0x01;
  auto l = verify_chain(ByteView(lone), strangers, f.opts());
  REQUIRE_FALSE(l.has_value());
  CHECK(l.error().code == ErrorCode::UntrustedRoot);
  // Duplicate ids (step 3) are still reported before trust.
  expect_rejected({w0, w0}, strangers, f.opts(), ErrorCode::ChainBroken, 1);
  // A revocation list keeps revocation first (step 2): the early refusal stands aside.
  VerifyOptions o = f.opts();
  o.revoked_ids = {w1.id_text()};
  const Bytes good = encode_stack(std::vector<Warrant>{w0, w1});
  auto rv = verify_chain(ByteView(good), strangers, o);
  REQUIRE_FALSE(rv.has_value());
  CHECK(rv.error().code == ErrorCode::WarrantRevoked);
  // A root payload that does not validate keeps its structural code (step 4).
  Payload bad = f.root_payload();
  bad.issuer = f.stranger.public_key();
  bad.expires_at = bad.issued_at;  // expires_at must be after issued_at (1201)
  const Bytes bad_bytes = sign_unchecked(bad, f.stranger);
  auto b = verify_chain(ByteView(bad_bytes), strangers, f.opts());
  REQUIRE_FALSE(b.has_value());
  CHECK(b.error().code != ErrorCode::UntrustedRoot);
}

TEST_CASE("time: expiry (1300) with the link tolerance, issued in the future (1302)") {
  Fixture f;
  const Warrant w0 = f.w0();
  const auto exp = static_cast<std::int64_t>(w0.payload().expires_at);
  // A lone warrant: expired from expires_at on, without tolerance.
  expect_valid({w0}, f.roots, VerifyOptions{.now = exp - 1});
  expect_rejected({w0}, f.roots, VerifyOptions{.now = exp}, ErrorCode::WarrantExpired, 0);
  // Chain root -> mid (expires at E) -> leaf (expires at E): a non-leaf link gets 30 s.
  const Warrant w1 = f.w1(w0);
  Payload p2 = f.p2(w1);
  const Warrant w2 = signed_warrant(p2, f.b);
  expect_valid({w0, w1, w2}, f.roots, VerifyOptions{.now = exp - 1});
  expect_rejected({w0, w1, w2}, f.roots, VerifyOptions{.now = exp + 30}, ErrorCode::WarrantExpired, 2);
  expect_rejected({w0, w1, w2}, f.roots, VerifyOptions{.now = exp + 31}, ErrorCode::WarrantExpired, 1);
  // A short-lived leaf under a long-lived chain.
  p2.expires_at = kT0 + 100;
  const Warrant short_leaf = signed_warrant(p2, f.b);
  expect_valid({w0, w1, short_leaf}, f.roots, VerifyOptions{.now = static_cast<std::int64_t>(kT0) + 99});
  expect_rejected({w0, w1, short_leaf}, f.roots, VerifyOptions{.now = static_cast<std::int64_t>(kT0) + 100},
                  ErrorCode::WarrantExpired, 2);
  // Issued in the future: 30 s of skew, then 1302 at the offending index.
  Payload fut = f.p2(w1);
  fut.issued_at = static_cast<std::uint64_t>(f.now) + 31;
  expect_rejected({w0, w1, signed_warrant(fut, f.b)}, f.roots, f.opts(), ErrorCode::IssuedInFuture, 2);
  fut.issued_at = static_cast<std::uint64_t>(f.now) + 30;
  expect_valid({w0, w1, signed_warrant(fut, f.b)}, f.roots, f.opts());
  expect_rejected({w0}, f.roots, VerifyOptions{.now = static_cast<std::int64_t>(kT0) - 31}, ErrorCode::IssuedInFuture, 0);
}

TEST_CASE("revocation (1800) is checked first, at the revoked index; duplicate ids are 1405") {
  Fixture f;
  const Warrant w0 = f.w0();
  const Warrant w1 = f.w1(w0);
  const Warrant w2 = signed_warrant(f.p2(w1), f.b);
  VerifyOptions o = f.opts();
  o.revoked_ids = {w1.id_text()};
  expect_rejected({w0, w1, w2}, f.roots, o, ErrorCode::WarrantRevoked, 1);
  o.revoked_ids = {w0.id_text()};
  expect_rejected({w0, w1, w2}, f.roots, o, ErrorCode::WarrantRevoked, 0);
  // Before trust: a revoked leaf under an untrusted root still reports 1800.
  o.revoked_ids = {w2.id_text()};
  expect_rejected({w0, w1, w2}, TrustedRoots{{f.stranger.public_key()}}, o, ErrorCode::WarrantRevoked, 2);
  // Ids are compared in the prefixed form only.
  o.revoked_ids = {id_hex(w1.id())};
  expect_valid({w0, w1, w2}, f.roots, o);
  // The same id twice in a chain.
  Payload dup = f.p2(w1);
  dup.id = w0.id();
  expect_rejected({w0, w1, signed_warrant(dup, f.b)}, f.roots, f.opts(), ErrorCode::ChainBroken, 2);
  // Regression: revocation is reported before an earlier link's duplicate id or future issue
  // time (the reference checks revocation over the whole chain first).
  Payload dup1 = f.p1(w0);
  dup1.id = w0.id();
  const Warrant d1 = signed_warrant(dup1, f.a);
  const Warrant d2 = signed_warrant(f.p2(d1), f.b);
  o.revoked_ids = {d2.id_text()};
  expect_rejected({w0, d1, d2}, f.roots, o, ErrorCode::WarrantRevoked, 2);
  VerifyOptions early = o;
  early.now = static_cast<std::int64_t>(kT0) - 60;  // every link is issued in the future
  expect_rejected({w0, d1, d2}, f.roots, early, ErrorCode::WarrantRevoked, 2);
}

TEST_CASE("empty chains are 1405; more than 64 links are 1404") {
  Fixture f;
  auto r = verify_chain(std::vector<Warrant>{}, f.roots, f.opts());
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == ErrorCode::ChainBroken);
  auto rb = verify_chain(ByteView(unhex("80")), f.roots, f.opts());
  REQUIRE_FALSE(rb.has_value());
  CHECK(rb.error().code == ErrorCode::ChainBroken);

  // A valid 64-link chain verifies; a 65th link is refused (kMaxChainLength).
  std::vector<SigningKey> keys;
  for (std::uint8_t i = 0; i < 3; ++i) keys.push_back(key_of(static_cast<std::uint8_t>(0x60 + i)));
  Payload rp = f.root_payload();
  rp.issuer = keys[0].public_key();
  rp.holder = keys[1].public_key();
  rp.max_depth = 255;
  std::vector<Warrant> chain{signed_warrant(rp, keys[0])};
  for (std::uint32_t d = 1; d < 65; ++d)
    chain.push_back(signed_warrant(child_payload(chain.back(), keys[(d + 1) % 3].public_key(), 100 + d), keys[d % 3]));
  const TrustedRoots roots{{keys[0].public_key()}};
  std::vector<Warrant> first64(chain.begin(), chain.begin() + 64);
  expect_valid(first64, roots, f.opts());
  auto too_long = verify_chain(chain, roots, f.opts());
  REQUIRE_FALSE(too_long.has_value());
  CHECK(too_long.error().code == ErrorCode::ChainTooLong);
  auto too_long_b = verify_chain(ByteView(encode_stack(chain)), roots, f.opts());
  REQUIRE_FALSE(too_long_b.has_value());
  CHECK(too_long_b.error().code == ErrorCode::ChainTooLong);
}

TEST_CASE("limits inside a stack are reported at the offending index") {
  Fixture f;
  const Warrant w0 = f.w0();
  auto reject_second = [&](const Payload& p, ErrorCode code) {
    const Bytes stack = stack_of({envelope_bytes(w0), sign_unchecked(p, f.a)});
    auto r = verify_chain(ByteView(stack), f.roots, f.opts());
    REQUIRE_FALSE(r.has_value());
    CHECK_MESSAGE(r.error().code == code, r.error().message);
    CHECK(r.error().chain_index == std::optional<std::size_t>(1));
  };
  {
    Payload p = f.p1(w0);  // 257 tools
    for (int i = 0; i < 257; ++i) p.tools.emplace_back(fmt::format("t{:03}", i), ConstraintSet{});
    std::sort(p.tools.begin(), p.tools.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    reject_second(p, ErrorCode::InvalidPayloadStructure);
  }
  {
    Payload p = f.p1(w0);  // 65 constraints on one tool
    for (int i = 0; i < 65; ++i) p.tools[0].second.set(fmt::format("a{:02}", i), c::Wildcard{});
    reject_second(p, ErrorCode::InvalidPayloadStructure);
  }
  {
    Payload p = f.p1(w0);  // nesting 33
    Constraint c = c::Pattern{"/data/x/*"};
    for (int i = 0; i < 33; ++i) c = c::All{{c}};
    p.tools[0].second.set("path", c);
    reject_second(p, ErrorCode::TooManyConstraints);
  }
  {
    Payload p = f.p1(w0);  // 65 extensions
    for (int i = 0; i < 65; ++i) p.extensions.emplace_back(fmt::format("x{:02}", i), Bytes{1});
    reject_second(p, ErrorCode::InvalidPayloadStructure);
  }
  {
    Payload p = f.p1(w0);  // an extension value over 8192 bytes
    p.extensions = {{"x", Bytes(8193, 1)}};
    reject_second(p, ErrorCode::InvalidPayloadStructure);
  }
  {
    Payload p = f.p1(w0);  // a warrant over 64 KiB
    p.tools[0].second.set("path", c::Pattern{"/data/" + std::string(kMaxWarrantBytes, 'x')});
    reject_second(p, ErrorCode::WarrantTooLarge);
  }
  {
    Payload p = f.p1(w0);  // structure: expires before issued
    p.expires_at = p.issued_at;
    reject_second(p, ErrorCode::InvalidPayloadStructure);
  }
  {
    Payload p = f.p1(w0);  // payload version 2 (1201), correctly signed
    cbor::Value tree = payload_tree(encode_payload(p));
    set_key(tree, 0, cbor::Value::integer(2));
    const Bytes stack = stack_of({envelope_bytes(w0), envelope_for(cbor::encode(tree), f.a)});
    auto r = verify_chain(ByteView(stack), f.roots, f.opts());
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == ErrorCode::InvalidPayloadStructure);
    CHECK(r.error().chain_index == std::optional<std::size_t>(1));
  }
  {
    // A stack over 256 KiB is refused before any element is looked at.
    Bytes big = stack_of({envelope_bytes(w0)});
    big.resize(kMaxStackBytes + 1, 0);
    auto r = verify_chain(ByteView(big), f.roots, f.opts());
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == ErrorCode::WarrantTooLarge);
  }
}

TEST_CASE("strict session ids and the lifetime ceiling") {
  Fixture f;
  Payload rp = f.root_payload();
  rp.session_id = "s1";
  const Warrant w0 = signed_warrant(rp, f.root);
  Payload p = f.p1(w0);
  p.session_id = "s1";
  const Warrant same = signed_warrant(p, f.a);
  p.session_id = "s2";
  const Warrant other = signed_warrant(p, f.a);
  p.session_id.reset();
  const Warrant none = signed_warrant(p, f.a);
  VerifyOptions strict = f.opts();
  strict.session = SessionCheck::Strict;
  expect_valid({w0, same}, f.roots, strict);
  expect_rejected({w0, other}, f.roots, strict, ErrorCode::ChainBroken, 1);
  expect_rejected({w0, none}, f.roots, strict, ErrorCode::ChainBroken, 1);
  expect_valid({w0, other}, f.roots, f.opts());  // off by default

  VerifyOptions ceiling = f.opts();
  ceiling.lifetime_ceiling = 3600;  // inclusive
  expect_valid({w0, same}, f.roots, ceiling);
  ceiling.lifetime_ceiling = 3599;
  expect_rejected({w0, same}, f.roots, ceiling, ErrorCode::TtlExceeded, 0);
}

TEST_CASE("check_link is the verifier's link rule set, clock-free") {
  Fixture f;
  const Warrant w0 = f.w0();
  const Payload good = f.p1(w0);
  CHECK(check_link(w0.payload(), w0.payload_hash(), good).has_value());
  Payload bad = good;
  bad.expires_at += 1;
  auto r = check_link(w0.payload(), w0.payload_hash(), bad);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == ErrorCode::ChainBroken);
  // An expired chain still passes check_link (time is verify_chain's business).
  Payload old = good;
  old.issued_at = kT0;
  old.expires_at = kT0 + 1;
  CHECK(check_link(w0.payload(), w0.payload_hash(), old).has_value());
}

TEST_CASE("randomised links: verify_chain agrees with an independent model of WIRE.md §10.2") {
  // Chains of 1-4 execution warrants with identical tools (so attenuation always holds), each
  // field perturbed at random and re-signed by the key its issuer field names; the verdict must
  // match a direct transcription of the link, root, trust and time rules.
  std::vector<SigningKey> keys;
  for (std::uint8_t i = 0; i < 4; ++i) keys.push_back(key_of(static_cast<std::uint8_t>(0x70 + i)));
  const TrustedRoots roots{{keys[0].public_key()}};
  std::uint64_t state = 0x9e3779b97f4a7c15ULL;
  auto rnd = [&state](std::uint64_t n) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state % n;
  };
  std::size_t accepted = 0, rejected = 0;
  for (int iter = 0; iter < 1500; ++iter) {
    const std::size_t n = 1 + rnd(4);
    std::vector<Warrant> chain;
    bool buildable = true;
    for (std::size_t i = 0; i < n && buildable; ++i) {
      Payload p = i == 0 ? Payload(keys[1].public_key(), keys[0].public_key())
                         : child_payload(chain.back(), keys[(i + 1) % 4].public_key(), static_cast<std::uint32_t>(i + 1));
      if (i == 0) {
        p.id = id_of(1);
        p.tools = {{"read_file", set_of("path", c::Pattern{"/data/*"})}};
        p.issued_at = kT0;
        p.expires_at = kT0 + 1000;
        p.max_depth = 3;
      }
      std::size_t signer = i == 0 ? 0 : (i % 4);
      switch (rnd(12)) {
        case 0: p.depth = static_cast<std::uint32_t>(p.depth + 1); break;
        case 1: if (p.depth > 0) p.depth -= 1; break;
        case 2: p.max_depth = static_cast<std::uint8_t>(rnd(5)); break;
        case 3: p.expires_at += (rnd(2) == 0 ? 1 : 600); break;
        case 4: p.expires_at -= (rnd(2) == 0 ? 1 : 900); break;
        case 5: p.issued_at = rnd(2) == 0 ? p.issued_at - 1 : p.issued_at + 200; break;
        case 6:
          if (p.parent_hash) (*p.parent_hash)[rnd(32)] ^= 0x10;
          else p.parent_hash = Sha256Digest{};
          break;
        case 7: p.parent_hash.reset(); break;
        case 8: signer = rnd(4); p.issuer = keys[signer].public_key(); break;
        case 9: p.holder = keys[rnd(4)].public_key(); break;
        case 10: if (!chain.empty()) p.id = chain.front().id(); break;
        default: break;
      }
      auto w = WarrantFactory::sign(p, keys[signer]);
      if (!w) buildable = false;  // e.g. expires_at <= issued_at: not a decodable warrant
      else chain.push_back(std::move(*w));
    }
    if (!buildable) continue;
    const std::int64_t now = static_cast<std::int64_t>(kT0) + std::array<std::int64_t, 5>{-31, 0, 100, 990, 1020}[rnd(5)];
    const auto unow = static_cast<std::uint64_t>(std::max<std::int64_t>(now, 0));

    bool valid = chain.front().payload().issuer == keys[0].public_key();
    if (n >= 2) valid = valid && chain[0].payload().depth == 0 && !chain[0].payload().parent_hash;
    for (std::size_t i = 0; i < n; ++i) {
      const Payload& c = chain[i].payload();
      valid = valid && c.issued_at <= unow + 30;
      for (std::size_t j = 0; j < i; ++j) valid = valid && chain[j].id() != chain[i].id();
      if (i == 0) continue;
      const Payload& p = chain[i - 1].payload();
      valid = valid && c.issuer == p.holder && c.parent_hash == std::optional<Sha256Digest>(chain[i - 1].payload_hash()) &&
              c.depth == p.depth + 1 && c.depth <= p.max_depth && c.max_depth <= p.max_depth &&
              c.depth <= c.max_depth && c.expires_at <= p.expires_at && c.issued_at >= p.issued_at;
      if (i + 1 < n) valid = valid && unow <= c.expires_at + 30;
    }
    valid = valid && unow < chain.back().payload().expires_at;

    auto r = verify_chain(chain, roots, VerifyOptions{.now = now});
    CAPTURE(iter);
    CHECK(r.has_value() == valid);
    if (r) {
      ++accepted;
    } else {
      ++rejected;
      const auto code = r.error().code;
      CHECK((code == ErrorCode::ChainBroken || code == ErrorCode::UntrustedRoot || code == ErrorCode::WarrantExpired ||
             code == ErrorCode::IssuedInFuture));
      CHECK(r.error().chain_index.has_value());
    }
  }
  CHECK(accepted > 100);  // both verdicts are well exercised
  CHECK(rejected > 100);
}

}  // TEST_SUITE
