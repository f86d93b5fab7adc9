// Builders: mint reproduces A.1 and is deterministic with a fixed id and clock; grant inherits
// what the reference inherits; both refuse every invariant or limit violation BEFORE signing,
// with the code the verifier (or, for builder-only rules, WIRE.md §17.2) gives it.
#include "warrant_fixtures.hpp"

#include <tenuo/builder.hpp>
#include <tenuo/limits.hpp>
#include <tenuo/verify.hpp>

#include <doctest/doctest.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <functional>
#include <string>
#include <vector>

using namespace tenuo;
using namespace tenuo::test;

namespace {

MintRequest a1_request() {
  MintRequest r;
  r.tools = {{"read_file", set_of("path", c::Wildcard{})}};
  r.holder = key_of(2).public_key();
  r.now = static_cast<std::int64_t>(kT0);
  r.ttl = 3600;
  r.max_depth = 3;
  r.id = id_of(1);
  return r;
}

template <class T>
void expect_code(const Result<T>& r, ErrorCode code) {
  REQUIRE_FALSE(r.has_value());
  CHECK_MESSAGE(r.error().code == code, r.error().message);
}

struct Family {
  SigningKey root = key_of(0x21);
  SigningKey a = key_of(0x22);
  SigningKey b = key_of(0x23);
  std::int64_t t0 = static_cast<std::int64_t>(kT0);

  Warrant parent(std::function<void(MintRequest&)> edit = {}) const {
    MintRequest r;
    ConstraintSet rf;
    rf.set("path", c::Pattern{"/data/*"});
    ConstraintSet sm;
    sm.set("to", c::OneOf{{Value{"a@x.com"}, Value{"b@x.com"}}});
    sm.set("priority", c::Exact{Value{"low"}});
    r.tools = {{"send_mail", sm}, {"read_file", rf}};  // unsorted on purpose
    r.holder = a.public_key();
    r.now = t0;
    r.ttl = 3600;
    r.max_depth = 4;
    r.id = id_of(1);
    if (edit) edit(r);
    auto w = mint(r, root);
    REQUIRE_MESSAGE(w.has_value(), (w ? std::string() : w.error().message));
    return std::move(*w);
  }
  GrantRequest request(const Warrant& p) const {
    GrantRequest g;
    g.tools = p.payload().tools;
    g.holder = b.public_key();
    g.now = t0 + 10;
    g.id = id_of(2);
    return g;
  }
};

}  // namespace

TEST_SUITE("tenuo::builder") {

TEST_CASE("mint reproduces A.1 byte for byte, and is deterministic with --id and --at") {
  const SigningKey issuer = key_of(1);
  auto w = mint(a1_request(), issuer);
  REQUIRE(w.has_value());
  CHECK(hex_encode(w->envelope_bytes()) == trimmed(vector_text("a1/envelope.hex")));
  auto again = mint(a1_request(), issuer);
  REQUIRE(again.has_value());
  CHECK(envelope_bytes(*again) == envelope_bytes(*w));
  // --expires-at instead of --ttl gives the same warrant.
  MintRequest r = a1_request();
  r.ttl.reset();
  r.expires_at = kT0 + 3600;
  CHECK(envelope_bytes(mint(r, issuer).value()) == envelope_bytes(*w));
}

TEST_CASE("mint defaults: holder = issuer, TTL 300 s, max_depth 64, depth 0, fresh UUIDv7, sorted lists") {
  const SigningKey issuer = key_of(1);
  MintRequest r;
  r.tools = {{"b_tool", ConstraintSet{}}, {"a_tool", ConstraintSet{}}};
  r.now = static_cast<std::int64_t>(kT0);
  auto w = mint(r, issuer);
  REQUIRE(w.has_value());
  const Payload& p = w->payload();
  CHECK(p.holder == issuer.public_key());
  CHECK(p.issuer == issuer.public_key());
  CHECK(p.issued_at == kT0);
  CHECK(p.expires_at == kT0 + 300);
  CHECK(p.max_depth == 64);
  CHECK(p.depth == 0);
  CHECK_FALSE(p.parent_hash.has_value());
  CHECK(p.tools[0].first == "a_tool");
  CHECK(id_hex(p.id).substr(0, 12) == "018cc251f400");  // UUIDv7 of issued_at in ms
  auto w2 = mint(r, issuer);
  REQUIRE(w2.has_value());
  CHECK(w2->id() != w->id());  // a fresh id each time without --id

  MintRequest iss;
  iss.type = WarrantType::Issuer;
  iss.now = static_cast<std::int64_t>(kT0);
  iss.issuable_tools = std::vector<std::string>{"z", "a", "m", "a"};
  auto a = key_of(4).public_key(), b = key_of(5).public_key();
  iss.required_approvers = {std::max(a, b), std::min(a, b)};
  iss.min_approvals = 1;
  iss.extensions = {{"tenuo.approval_gates", {0xa0}}, {"acme.x", {1}}};
  auto wi = mint(iss, issuer);
  REQUIRE_MESSAGE(wi.has_value(), (wi ? std::string() : wi.error().message));
  CHECK(wi->payload().issuable_tools == std::vector<std::string>{"a", "m", "z"});
  CHECK(wi->payload().required_approvers == std::vector<PublicKey>{std::min(a, b), std::max(a, b)});
  CHECK(wi->payload().extensions.front().first == "acme.x");
  // What the builder signs decodes back to identical bytes.
  CHECK(envelope_bytes(decoded(wi->envelope_bytes())) == envelope_bytes(*wi));
}

TEST_CASE("mint refuses every limit and builder rule before signing") {
  const SigningKey issuer = key_of(1);
  struct Case {
    std::string name;
    std::function<void(MintRequest&)> edit;
    ErrorCode code;
  };
  const std::vector<Case> cases = {
      {"max_depth 65", [](MintRequest& r) { r.max_depth = 65; }, ErrorCode::DepthExceeded},
      {"ttl over 90 days", [](MintRequest& r) { r.ttl = kMaxTtlSeconds + 1; }, ErrorCode::TtlExceeded},
      {"expires_at over 90 days", [](MintRequest& r) { r.ttl.reset(); r.expires_at = kT0 + kMaxTtlSeconds + 1; }, ErrorCode::TtlExceeded},
      {"expires_at == now", [](MintRequest& r) { r.ttl.reset(); r.expires_at = kT0; }, ErrorCode::InvalidPayloadStructure},
      {"ttl 0", [](MintRequest& r) { r.ttl = 0; }, ErrorCode::InvalidPayloadStructure},
      {"reserved tool name", [](MintRequest& r) { r.tools.emplace_back("tenuo:admin", ConstraintSet{}); }, ErrorCode::InvalidPayloadStructure},
      {"empty tool name", [](MintRequest& r) { r.tools.emplace_back("", ConstraintSet{}); }, ErrorCode::InvalidPayloadStructure},
      {"tool name of 257 bytes", [](MintRequest& r) { r.tools.emplace_back(std::string(257, 't'), ConstraintSet{}); }, ErrorCode::InvalidPayloadStructure},
      {"duplicate tool", [](MintRequest& r) { r.tools.emplace_back("read_file", ConstraintSet{}); }, ErrorCode::InvalidPayloadStructure},
      {"257 tools",
       [](MintRequest& r) {
         for (int i = 0; i < 256; ++i) r.tools.emplace_back(fmt::format("t{:03}", i), ConstraintSet{});
       },
       ErrorCode::InvalidPayloadStructure},
      {"65 constraints",
       [](MintRequest& r) {
         for (int i = 0; i < 64; ++i) r.tools[0].second.set(fmt::format("a{:02}", i), c::Wildcard{});
       },
       ErrorCode::InvalidPayloadStructure},
      {"nesting 33",
       [](MintRequest& r) {
         Constraint c = c::Wildcard{};
         for (int i = 0; i < 33; ++i) c = make_not(c);
         r.tools[0].second.set("path", c);
       },
       ErrorCode::TooManyConstraints},
      {"65 extensions",
       [](MintRequest& r) {
         for (int i = 0; i < 65; ++i) r.extensions.emplace_back(fmt::format("x{:02}", i), Bytes{1});
       },
       ErrorCode::InvalidPayloadStructure},
      {"extension value 8193 bytes", [](MintRequest& r) { r.extensions = {{"x", Bytes(8193, 1)}}; }, ErrorCode::InvalidPayloadStructure},
      {"extension key 256 bytes", [](MintRequest& r) { r.extensions = {{std::string(256, 'k'), Bytes{1}}}; }, ErrorCode::InvalidPayloadStructure},
      {"session id through extensions", [](MintRequest& r) { r.extensions = {{"tenuo.session_id", Bytes{'s'}}}; }, ErrorCode::InvalidPayloadStructure},
      {"warrant over 64 KiB",
       [](MintRequest& r) { r.tools[0].second.set("path", c::Pattern{std::string(kMaxWarrantBytes, 'p')}); },
       ErrorCode::WarrantTooLarge},
      {"approvers without gates", [](MintRequest& r) { r.required_approvers = {key_of(4).public_key()}; }, ErrorCode::InvalidPayloadStructure},
      {"min_approvals above approvers",
       [](MintRequest& r) {
         r.required_approvers = {key_of(4).public_key()};
         r.extensions = {{"tenuo.approval_gates", {0xa0}}};
         r.min_approvals = 2;
       },
       ErrorCode::InvalidPayloadStructure},
      {"min_approvals without approvers", [](MintRequest& r) { r.min_approvals = 1; }, ErrorCode::InvalidPayloadStructure},
      {"issuer warrant with tools",
       [](MintRequest& r) {
         r.type = WarrantType::Issuer;
         r.issuable_tools = std::vector<std::string>{"x"};
       },
       ErrorCode::InvalidPayloadStructure},
      {"issuer warrant without issuable tools",
       [](MintRequest& r) {
         r.type = WarrantType::Issuer;
         r.tools.clear();
       },
       ErrorCode::InvalidPayloadStructure},
      {"max_issue_depth above max_depth",
       [](MintRequest& r) {
         r.type = WarrantType::Issuer;
         r.tools.clear();
         r.issuable_tools = std::vector<std::string>{"x"};
         r.max_issue_depth = 4;
       },
       ErrorCode::DepthExceeded},
      {"negative clock", [](MintRequest& r) { r.now = -1; }, ErrorCode::InvalidInput},
  };
  for (const auto& c : cases) {
    CAPTURE(c.name);
    MintRequest r = a1_request();
    c.edit(r);
    expect_code(mint(r, issuer), c.code);
  }
  // The boundaries themselves are accepted.
  MintRequest r = a1_request();
  r.ttl = kMaxTtlSeconds;
  r.max_depth = 64;
  CHECK(mint(r, issuer).has_value());
}

TEST_CASE("grant: the child links to its parent and inherits what the reference inherits") {
  Family f;
  const Warrant p = f.parent([&](MintRequest& r) {
    r.clearance = 30;
    r.session_id = "sess";
    r.agent_id = "agent";
    r.required_approvers = {key_of(4).public_key()};
    r.min_approvals = 1;
    r.extensions = {{"tenuo.approval_gates", {0xa0}}, {"acme.other", {1}}};
  });
  GrantRequest g = f.request(p);
  g.holder.reset();
  auto c = grant(p, g, f.a);
  REQUIRE_MESSAGE(c.has_value(), (c ? std::string() : c.error().message));
  const Payload& q = c->payload();
  CHECK(q.issuer == f.a.public_key());
  CHECK(q.holder == p.payload().holder);  // default: the parent's holder
  CHECK(q.depth == 1);
  CHECK(q.max_depth == 4);
  CHECK(q.parent_hash == p.payload_hash());
  CHECK(q.issued_at == kT0 + 10);
  CHECK(q.expires_at == p.payload().expires_at);  // default: the parent's expiry
  CHECK(q.clearance == 30);
  CHECK(q.session_id == "sess");
  CHECK(q.agent_id == "agent");
  CHECK(q.required_approvers == p.payload().required_approvers);
  CHECK(q.min_approvals == 1);
  CHECK(q.extension("tenuo.approval_gates") == Bytes{0xa0});
  CHECK_FALSE(q.extension("acme.other").has_value());  // other extensions are not inherited
  CHECK(q.id == id_of(2));
  auto v = verify_chain({p, *c}, TrustedRoots{{f.root.public_key()}}, VerifyOptions{.now = f.t0 + 20});
  CHECK_MESSAGE(v.has_value(), (v ? std::string() : v.error().message));

  // TTL is capped to the parent's expiry; a shorter one is kept.
  g.ttl = 999999;
  CHECK(grant(p, g, f.a).value().payload().expires_at == p.payload().expires_at);
  g.ttl = 60;
  CHECK(grant(p, g, f.a).value().payload().expires_at == kT0 + 70);
  // Deterministic with a fixed id and clock.
  CHECK(envelope_bytes(grant(p, g, f.a).value()) == envelope_bytes(grant(p, g, f.a).value()));
  // prepare_grant builds the same payload without signing.
  auto prepared = prepare_grant(p, g, f.a.public_key());
  REQUIRE(prepared.has_value());
  const Warrant signed_child = grant(p, g, f.a).value();
  CHECK(encode_payload(*prepared) ==
        Bytes(signed_child.payload_bytes().begin(), signed_child.payload_bytes().end()));
}

TEST_CASE("grant refuses each invariant before signing, with the verifier's code where they share a rule") {
  Family f;
  const Warrant p = f.parent();
  const TrustedRoots roots{{f.root.public_key()}};
  // For rules the verifier also checks, the same child hand-built and signed is refused by
  // verify_chain with the same code.
  auto same_as_verifier = [&](const GrantRequest& g, ErrorCode code) {
    expect_code(prepare_grant(p, g, f.a.public_key()), code);
    expect_code(grant(p, g, f.a), code);
    Payload hand = child_payload(p, g.holder.value_or(p.payload().holder), 99);
    hand.tools = g.tools;
    hand.issued_at = static_cast<std::uint64_t>(g.now);
    if (g.expires_at) hand.expires_at = *g.expires_at;
    if (g.max_depth) hand.max_depth = *g.max_depth;
    if (g.clearance) hand.clearance = g.clearance;
    auto w = WarrantFactory::sign(hand, f.a);
    REQUIRE(w.has_value());
    auto v = verify_chain({p, *w}, roots, VerifyOptions{.now = f.t0 + 20});
    REQUIRE_FALSE(v.has_value());
    CHECK_MESSAGE(v.error().code == code, v.error().message);
    CHECK(v.error().chain_index == std::optional<std::size_t>(1));
  };
  SUBCASE("I4: tool added") {
    GrantRequest g = f.request(p);
    g.tools.emplace_back("write_file", ConstraintSet{});
    std::sort(g.tools.begin(), g.tools.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    same_as_verifier(g, ErrorCode::CapabilityExpansion);
  }
  SUBCASE("I4: constraint widened") {
    GrantRequest g = f.request(p);
    g.tools[0].second.set("path", c::Pattern{"/*"});
    same_as_verifier(g, ErrorCode::CapabilityExpansion);
  }
  SUBCASE("I4: constraint to wildcard") {
    GrantRequest g = f.request(p);
    g.tools[0].second.set("path", c::Wildcard{});
    same_as_verifier(g, ErrorCode::CapabilityExpansion);
  }
  SUBCASE("I4: exact value changed") {
    GrantRequest g = f.request(p);
    g.tools[1].second.set("priority", c::Exact{Value{"high"}});
    same_as_verifier(g, ErrorCode::InvalidAttenuation);
  }
  SUBCASE("I4: clearance introduced") {
    GrantRequest g = f.request(p);
    g.clearance = 10;
    same_as_verifier(g, ErrorCode::CapabilityExpansion);
  }
  SUBCASE("I3: explicit expiry after the parent's") {
    GrantRequest g = f.request(p);
    g.expires_at = p.payload().expires_at + 1;
    expect_code(prepare_grant(p, g, f.a.public_key()), ErrorCode::ChainBroken);
    expect_code(grant(p, g, f.a), ErrorCode::ChainBroken);
  }
  SUBCASE("I3: issued before the parent") {
    GrantRequest g = f.request(p);
    g.now = f.t0 - 1;
    same_as_verifier(g, ErrorCode::ChainBroken);
  }
  SUBCASE("I2: max_depth raised (builder code 1402)") {
    GrantRequest g = f.request(p);
    g.max_depth = 5;
    expect_code(prepare_grant(p, g, f.a.public_key()), ErrorCode::DepthExceeded);
    expect_code(grant(p, g, f.a), ErrorCode::DepthExceeded);
  }
  SUBCASE("I2: terminal parent (builder code 1402)") {
    const Warrant t = f.parent([](MintRequest& r) { r.max_depth = 0; });
    expect_code(grant(t, f.request(t), f.a), ErrorCode::DepthExceeded);
  }
  SUBCASE("I1: signer is not the parent's holder (builder code 1400)") {
    GrantRequest g = f.request(p);
    expect_code(prepare_grant(p, g, f.b.public_key()), ErrorCode::InvalidIssuer);
    expect_code(grant(p, g, f.b), ErrorCode::InvalidIssuer);
    expect_code(grant(p, g, f.root), ErrorCode::InvalidIssuer);
  }
  SUBCASE("expired parent (1300)") {
    GrantRequest g = f.request(p);
    g.now = static_cast<std::int64_t>(p.payload().expires_at);
    expect_code(grant(p, g, f.a), ErrorCode::WarrantExpired);
  }
  SUBCASE("limits apply to children too") {
    // Under a Wildcard any child constraint attenuates, so the nesting limit is what refuses.
    const Warrant wp = f.parent([](MintRequest& r) { r.tools = {{"read_file", set_of("path", c::Wildcard{})}}; });
    GrantRequest g = f.request(wp);
    Constraint c = c::Pattern{"/data/x/*"};
    for (int i = 0; i < 32; ++i) c = c::All{{c}};
    g.tools[0].second.set("path", c);
    CHECK(grant(wp, g, f.a).has_value());
    g.tools[0].second.set("path", Constraint{c::All{{c}}});
    expect_code(grant(wp, g, f.a), ErrorCode::TooManyConstraints);
    GrantRequest h = f.request(p);
    h.tools.emplace_back("tenuo:x", ConstraintSet{});
    expect_code(grant(p, h, f.a), ErrorCode::InvalidPayloadStructure);
  }
  SUBCASE("issuer parents are not delegated by grant (1502)") {
    MintRequest r;
    r.type = WarrantType::Issuer;
    r.issuable_tools = std::vector<std::string>{"read_file"};
    r.holder = f.a.public_key();
    r.now = f.t0;
    const Warrant ip = mint(r, f.root).value();
    GrantRequest g;
    g.tools = {{"read_file", ConstraintSet{}}};
    g.now = f.t0 + 1;
    expect_code(grant(ip, g, f.a), ErrorCode::InvalidAttenuation);
  }
  SUBCASE("I5: the builder always sets the parent hash from the parent's payload bytes") {
    const Warrant c = grant(p, f.request(p), f.a).value();
    CHECK(c.payload().parent_hash == detail::sha256(p.payload_bytes()));
  }
}

TEST_CASE("a chain built only with grant verifies at every length the verifier accepts") {
  Family f;
  const std::array<const SigningKey*, 3> keys{&f.a, &f.b, &f.root};
  std::vector<Warrant> chain{f.parent([](MintRequest& r) { r.max_depth = 64; })};
  const TrustedRoots roots{{f.root.public_key()}};
  for (std::uint32_t d = 1; d < kMaxChainLength; ++d) {
    const SigningKey& signer = *keys[(d - 1) % 3];
    GrantRequest g = f.request(chain.back());
    g.holder = keys[d % 3]->public_key();
    g.id = id_of(1000 + d);
    g.now = f.t0 + d;
    auto c = grant(chain.back(), g, signer);
    REQUIRE_MESSAGE(c.has_value(), (c ? std::string() : c.error().message));
    chain.push_back(std::move(*c));
  }
  REQUIRE(chain.size() == kMaxChainLength);
  auto v = verify_chain(chain, roots, VerifyOptions{.now = f.t0 + 100});
  CHECK_MESSAGE(v.has_value(), (v ? std::string() : v.error().message));
  auto vb = verify_chain(ByteView(encode_stack(chain)), roots, VerifyOptions{.now = f.t0 + 100});
  CHECK(vb.has_value());
  // Regression: with max_depth 64 the next child (depth 64) would make a 65-link chain that
  // verify_chain refuses (1404); grant refuses it up front instead (1402).
  REQUIRE(chain.back().payload().depth == 63);
  REQUIRE(chain.back().payload().max_depth == 64);
  GrantRequest g = f.request(chain.back());
  g.holder = keys[0]->public_key();
  g.now = f.t0 + 64;
  const SigningKey& holder = *keys[63 % 3];
  REQUIRE(holder.public_key() == chain.back().payload().holder);
  expect_code(grant(chain.back(), g, holder), ErrorCode::DepthExceeded);
}

}  // TEST_SUITE
